#pragma once
// The local executor's loop: starts ready tasks as the policy allows, watches them (exit, timeout,
// memory, interrupt), retries, records every attempt into history, the journal and the event
// stream. The same loop drives other runners (a fake in tests).
#include <optional>
#include <string>
#include <vector>

#include "history/store.h"
#include "model/dag.h"
#include "model/workflow.h"
#include "run/events.h"
#include "run/journal.h"
#include "run/runner.h"
#include "schedule/policy.h"
#include "util/clock.h"

namespace wf::run {

struct ExecutorOptions {
  std::string run_id;
  std::string workflow_name;
  std::string log_dir;   // per-task stdout/stderr files
  std::string workdir;   // the tasks' working directory
  std::string executor = "local";
  schedule::Capacity capacity;
  double sample_interval_s = 0.5;
  bool enforce_memory = false;  // kill a task whose RSS passes its reservation
  bool keep_going = false;      // after a failure, go on with what does not depend on it
  double retry_backoff_s = 1;   // doubled per attempt, at most 60 s
  double memory_growth = 1.25;  // the least a memory retry grows the reservation by
  double kill_grace_s = 3;      // SIGTERM, then SIGKILL after this long
  bool progress = false;        // a live line on stderr
  std::vector<char> done;       // per task: already succeeded (resume); not run again
};

struct AttemptResult {
  std::string status;  // succeeded, failed, timeout, oom, interrupted
  std::optional<int> exit_code;
  int signal = 0;
  double start_s = 0, end_s = 0, runtime_s = 0, cpu_time_s = 0;
  uint64_t peak_rss_bytes = 0, read_bytes = 0, write_bytes = 0;
  schedule::Demand reserved;
};

struct TaskResult {
  // succeeded, failed, timeout, oom, interrupted, skipped (a dependency failed), not_started,
  // resumed (succeeded in an earlier invocation of this run)
  std::string status = "not_started";
  std::string command;
  std::string log_out, log_err;
  std::vector<AttemptResult> attempts;
};

struct RunResult {
  std::string status;  // succeeded, failed, interrupted
  int stop_signal = 0;
  double started_at = 0, finished_at = 0;
  std::vector<TaskResult> tasks;
  double peak_reserved_cpus = 0, peak_reserved_mem_bytes = 0;
  uint64_t peak_rss_bytes = 0;  // of all tasks together, sampled
  size_t samples = 0;
  double sampling_cpu_s = 0;  // our own CPU time spent sampling /proc
  std::vector<std::string> clamped;  // tasks whose demand exceeded the capacity
};

class Executor {
 public:
  Executor(const model::Workflow& wf, const model::Dag& dag, std::vector<schedule::TaskInfo> info,
           ExecutorOptions options, Runner& runner, history::Store* history, Events& events, Journal* journal,
           util::Clock& clock);
  ~Executor();
  RunResult run();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace wf::run
