#pragma once
// wf-run --executor slurm: the same run directory, journal, events and history as a local run,
// with every task a Slurm batch job (run/slurm_executor.h, man wf-slurm(7)).
//
// Wiring (wf-run): add_slurm_options(app, slurm_options) next to the other flags; after the run
// directory is set up (locked, document saved, history opened), call run_on_slurm() in place of
// the local executor — and skip the local resume_state(): a Slurm run resumes from its own journal
// lines — then emit the document and return its result as the exit code.
#include <functional>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "history/store.h"
#include "io/document.h"
#include "model/dag.h"
#include "run/events.h"
#include "run/observer.h"
#include "run/slurm_client.h"
#include "run/slurm_wait.h"
#include "schedule/policy.h"
#include "util/clock.h"

namespace wf::cli {

struct SlurmRunOptions {
  std::string partition;    // empty: $WF_SLURM_PARTITION, else the cluster's default partition
  std::string reservation;  // empty: the provision section's Slurm reservation, if any
  bool prewarm = true;      // power up the power-saved nodes the forecast needs before submitting
  double prewarm_timeout_s = 90;
  double poll_interval_s = 0.5;      // the first wait between polls ...
  double max_poll_interval_s = 5;    // ... growing to this while nothing changes
};

// --partition, --reservation, --no-prewarm, --prewarm-timeout, --poll-interval, --max-poll-interval.
void add_slurm_options(CLI::App& app, SlurmRunOptions& options);

// What wf-run has set up before choosing the executor.
struct SlurmRunContext {
  std::string run_id;
  std::string run_dir;   // absolute; holds logs/ (made here if missing), slurm/ (batch scripts), journal.jsonl
  std::string workdir;   // absolute; must be on a filesystem the compute nodes share
  bool resume = false;   // --resume: follow or skip what the journal says
  history::Store* history = nullptr;  // null: --no-history
  std::string history_path;
  run::Events* events = nullptr;      // null: no event stream
  bool keep_going = false;
  double retry_backoff_s = 1;
  // Watch the run from inside the executor's loop (run/observer.h: alerts, feedback in observe
  // mode), called in this order; not owned, must outlive the call. Slurm gives only the elapsed
  // time of a running job live; RSS, CPU time and I/O come from accounting when it has ended.
  // capacity() is never asked: the cluster schedules. Ended once, also when nothing was submitted.
  std::vector<run::Observer*> observers;
  // Null, or builds one more observer, called first, once the partition's usable capacity is known
  // (in-run feedback in observe mode decides against it); may return null.
  std::function<run::Observer*(const schedule::Capacity& partition)> capacity_observer;
};

// Runs the document's workflow on Slurm and sets its `run` section (executor "slurm"). Returns
// the exit code: 0 every task succeeded, 1 a task failed, 130 interrupted (every job of the run
// cancelled). Throws wf::Error: 69 when the cluster cannot be reached or refuses the jobs (then
// nothing of the run is left queued), 73 when the run directory cannot be written.
int run_on_slurm(io::Document& doc, const model::Dag& dag, const SlurmRunOptions& options, const SlurmRunContext& context);

// The same against given seams (tests: a scripted cluster, a fake clock).
int run_on_slurm(io::Document& doc, const model::Dag& dag, const SlurmRunOptions& options, const SlurmRunContext& context,
                 run::SlurmClient& client, run::StopWaiter& waiter, util::Clock& clock);

}  // namespace wf::cli
