#pragma once
// The Slurm executor's state, shared by its two halves: slurm_executor.cc (submitting, retrying,
// cancelling, the loop) and slurm_follow.cc (polling the cluster, reading what ended, recording it).
// Private to those two files.
#include <map>
#include <string>
#include <vector>

#include "run/slurm_executor.h"
#include "run/slurm_jobs.h"

namespace wf::run {

struct SlurmExecutor::Impl {
  enum class Phase { waiting, queued, running, ended };
  struct Task {
    Phase phase = Phase::waiting;
    std::string job;            // the current job
    int attempt = 1;            // the current job's attempt
    int first_attempt = 1;      // this invocation's first: retries are counted from it
    SlurmTaskDemand request;
    double end_seen = -1;       // monotonic: when squeue first showed the job ended or forgotten
    bool cancelled_by_wf = false;
    std::string unrun_status;   // what the task becomes if its cancelled job never ran
    std::string status;         // once ended
    double start_seen = -1;     // monotonic: when the current job was announced started (-1: not yet)
  };

  const model::Workflow& wf;
  const model::Dag& dag;
  SlurmExecutorOptions opt;
  SlurmClient& client;
  StopWaiter& waiter;
  history::Store* history;
  Events& events;
  SlurmJournal* journal;
  util::Clock& clock;
  std::vector<Task> tasks;
  JobIds ids;
  RunResult result;
  bool stopping = false, failed = false, accounting_on = true;
  double stop_deadline = 0;
  double unreachable_since = -1;  // monotonic: since when the cluster has not answered
  size_t done_count = 0, failed_count = 0;
  std::vector<Observer*> observers;
  std::vector<LiveSample> live_samples;  // reused by every sample
  double t0 = 0;                         // monotonic: when run() began
  bool observers_ended = false;

  Impl(const model::Workflow& w, const model::Dag& d, std::vector<SlurmTaskDemand> demands, SlurmExecutorOptions o,
       SlurmClient& c, StopWaiter& wt, history::Store* h, Events& e, SlurmJournal* j, util::Clock& clk)
      : wf(w), dag(d), opt(std::move(o)), client(c), waiter(wt), history(h), events(e), journal(j), clock(clk),
        tasks(d.size()), ids(d.size()) {
    result.tasks.resize(dag.size());
    for (uint32_t t = 0; t < dag.size(); ++t) {
      tasks[t].request = demands[t];
      int before = t < opt.resume.size() ? opt.resume[t].attempts : 0;
      tasks[t].attempt = tasks[t].first_attempt = before + 1;
    }
  }

  bool succeeded(uint32_t t) const { return tasks[t].status == "succeeded" || tasks[t].status == "resumed"; }
  bool live(uint32_t t) const { return tasks[t].phase == Phase::queued || tasks[t].phase == Phase::running; }

  // Submitting and deciding (slurm_executor.cc).
  schedule::Demand reserved(const Task& s) const;
  std::string base_name(uint32_t t) const;
  // Writes the batch script and hands it to sbatch; the task's current job becomes the new one.
  void submit(uint32_t t, int begin_in_s);
  // Every task whose parents are submitted or done, in topological order; a task below a failure
  // is skipped. On a fresh run that is all of them, at once.
  void submit_all();
  void end_unrun(uint32_t t, const std::string& status);
  // Marks live tasks cancelled by wf and cancels their jobs in one scancel. A task whose job never
  // ran becomes `unrun_status` once Slurm confirms the cancellation.
  void cancel(const std::vector<uint32_t>& which, const std::string& unrun_status);
  std::vector<uint32_t> descendants(uint32_t t) const;
  // A retry: the task again, and below it every task whose job waits on the failed one, against the
  // new job ids. Their old jobs are cancelled (Slurm may have done so already: kill_invalid_depend).
  // Descendants not yet submitted are left to submit_all(), which comes after.
  void resubmit_subtree(uint32_t t, int begin_in_s);
  // A task that failed for good: what waits below it is skipped; without -k every other pending
  // job of the run is cancelled too (running ones finish).
  void final_failure(uint32_t t, const std::string& status);
  // A stop signal: every job of the run cancelled; the loop then waits (cancel_wait_s) for Slurm.
  void stop(int sig);
  // Resume: done tasks count as succeeded; jobs an earlier invocation left are followed.
  void adopt_earlier_jobs();
  RunResult run();
  RunResult run_loop();
  // Tasks still open when the loop ended (a stop that outlived its wait): running ones were
  // interrupted, the rest never ran. Below a failure, what never ran is skipped.
  void finish_statuses();

  // Following the jobs (slurm_follow.cc).
  void record_history(uint32_t t, const JobEnd& end, const AttemptResult& ar);
  void emit_end(const char* event, uint32_t t, const AttemptResult& ar, const JobEnd& end);
  // A job of the task ended: the attempt's outcome, history, journal, events; then a retry, the
  // task's success, or its final failure.
  void finish(uint32_t t, const JobEnd& end);
  // The next request (memory grown from MaxRSS after an oom, a forecast time limit doubled after a
  // timeout) and the resubmission after the backoff.
  void retry_task(uint32_t t, const JobEnd& end, const AttemptResult& ar);
  // What ended since the last poll, from accounting (or slurmctld when there is none).
  std::map<std::string, JobEnd> ends_of(const std::vector<std::string>& jobs, const std::vector<std::string>& overdue);
  // One look at the cluster: jobs that started, jobs that ended. True when anything changed.
  bool poll();
  void track_peaks();

  // Observers (slurm_follow.cc): what the header promises.
  RunState state() const;
  void notify_started(uint32_t t, double now_mono);
  void observe_sample();
  void end_observers(const std::string& status);
};

}  // namespace wf::run
