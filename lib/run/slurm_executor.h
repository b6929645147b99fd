#pragma once
// The Slurm executor: one batch job per task attempt, the DAG handed to Slurm as afterok
// dependencies so that the cluster schedules it, followed to completion by polling (squeue, then
// sacct for what ended), every finished attempt recorded into history from accounting (executor
// "slurm").
//
// Submission: every task at once, in topological order, each depending on the current jobs of its
// parents that have not yet succeeded. A retry (failed, timeout, oom, as many as the task's
// `retries`) resubmits the task (--begin=now+backoff; an oom with --mem grown from MaxRSS) and
// every descendant, cancelling their pending jobs first: they depended on the failed job, so they
// must depend on the new one. A final failure cancels the pending jobs below it (-k) or every
// pending job of the run, lets running ones finish, and the run fails. A stop signal cancels
// every job of the run and waits (at most cancel_wait_s) for them to end.
//
// Resume: tasks marked done are not submitted; a task with a job left by an earlier invocation
// is followed, not resubmitted (SlurmExecutorOptions::adopt).
//
// Observers (run/observer.h), called from run()'s thread as the local executor calls them:
//   started   when squeue first shows the job RUNNING (so at most one poll after it really
//             started); a job seen only once it had ended is announced at its end, just before
//             its finished(), so that every finished() has its started();
//   sampled   after every poll: each running job, elapsed_s since it was seen running and usage
//             all 0 (Slurm measures RSS, CPU time and I/O only in accounting, at the end: 0 means
//             unknown here, never "used nothing");
//   finished  each attempt's AttemptResult as recorded from sacct, with will_retry;
//   ended     once, when run() returns or throws.
// capacity() is never asked: the cluster schedules the jobs, so there is no capacity of wf's own to
// change (RunState::capacity is the partition's usable nodes, for reference).
#include <memory>
#include <string>
#include <vector>

#include "history/store.h"
#include "model/dag.h"
#include "model/workflow.h"
#include "run/events.h"
#include "run/executor.h"
#include "run/observer.h"
#include "run/slurm_client.h"
#include "run/slurm_demand.h"
#include "run/slurm_journal.h"
#include "run/slurm_wait.h"
#include "util/clock.h"

namespace wf::run {

struct SlurmExecutorOptions {
  std::string run_id;
  std::string workflow_name;
  std::string log_dir;     // the tasks' stdout/stderr (on a filesystem the nodes share)
  std::string script_dir;  // the generated batch scripts
  std::string workdir;     // the tasks' working directory (shared too)
  std::string partition;   // empty: the cluster's default
  std::string reservation; // empty: none
  bool keep_going = false;
  double retry_backoff_s = 1;    // doubled per attempt, at most 60 s
  double memory_growth = 1.5;    // over max(MaxRSS, reserved) for a memory retry
  double max_mem_bytes = 0;      // a grown request never asks more (the largest node); 0: no cap
  double poll_min_s = 0.5;       // between polls; grows ×1.5 while nothing changes ...
  double poll_max_s = 5;         // ... up to this
  double accounting_wait_s = 30; // a job ended in squeue but not yet in sacct: wait this long
  double cancel_wait_s = 30;     // after a stop signal, for the cancelled jobs to end
  double unreachable_timeout_s = 300;  // the cluster not answering this long ends the run (69)
  std::vector<SlurmResume> resume;  // per task, from slurm_resume_state(); empty: a fresh run
  schedule::Capacity capacity;      // the partition's usable nodes: what RunState reports to observers
};

// Per task, the ids of every job submitted for it in this invocation (adopted ones included), in
// order: what the run section lists.
using JobIds = std::vector<std::vector<std::string>>;

class SlurmExecutor {
 public:
  SlurmExecutor(const model::Workflow& wf, const model::Dag& dag, std::vector<SlurmTaskDemand> demands,
                SlurmExecutorOptions options, SlurmClient& client, StopWaiter& waiter, history::Store* history,
                Events& events, SlurmJournal* journal, util::Clock& clock);
  ~SlurmExecutor();
  // Called in the order added, from run()'s thread; must outlive run(). Not owned.
  void observe(Observer& observer);
  RunResult run();
  const JobIds& job_ids() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace wf::run
