#pragma once
// The local executor's loop: starts ready tasks as the policy allows, watches them (exit, timeout,
// memory, interrupt), retries, records every attempt into history, the journal and the event
// stream. The same loop drives other runners (a fake in tests).
//
// Contracts:
//   - at no instant do the started, unfinished attempts hold more than the capacity (the policy
//     reserves, the executor releases only when an attempt has been reaped);
//   - every attempt that ran is in the journal before run() returns or throws, and in history
//     (rows are written in batches, see ExecutorOptions; a row wf-run could not write, or that a
//     kill -9 lost, is recorded on resume from the journal);
//   - when run() returns or throws, no process of the run is left (each attempt's process group
//     is killed when its root ends; on an error every running attempt is killed and reaped).
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "history/store.h"
#include "model/dag.h"
#include "model/workflow.h"
#include "run/events.h"
#include "run/journal.h"
#include "run/observer.h"
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
  std::vector<int> prior_attempts;  // per task: attempts of earlier invocations (resume); numbering goes on
  // History rows are written by a thread of the executor's, one transaction per batch: when this
  // many are waiting, or when the oldest has waited this long, and at the end of run() (returned
  // or thrown). The Store given to the executor is used by that thread only while run() runs.
  size_t history_batch_rows = 256;
  double history_batch_s = 0.1;
};

struct TaskResult {
  // succeeded, failed, timeout, oom, interrupted, skipped (a dependency failed), not_started,
  // resumed (succeeded in an earlier invocation of this run)
  std::string status = "not_started";
  std::string command;
  std::string log_out, log_err;  // the last attempt's log files; empty when it left none
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
  // Every capacity an observer set during the run, in order (time since the start, new capacity).
  std::vector<std::pair<double, schedule::Capacity>> capacity_changes;
};

// What a history row says besides the attempt itself.
struct RowContext {
  std::string run_id, workflow, host, executor = "local";
};

// The history row of one attempt of `task`.
history::Execution history_row(const model::Workflow& wf, const model::Task& task, int attempt, const AttemptResult& ar,
                               const RowContext& context);

class Executor {
 public:
  Executor(const model::Workflow& wf, const model::Dag& dag, std::vector<schedule::TaskInfo> info,
           ExecutorOptions options, Runner& runner, history::Store* history, Events& events, Journal* journal,
           util::Clock& clock);
  ~Executor();
  // Called in the order added, from run()'s thread; must outlive run(). Not owned.
  void observe(Observer& observer);
  RunResult run();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace wf::run
