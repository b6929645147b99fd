#pragma once
// Typed Slurm operations over a SlurmClient: submit, look at the queue, read accounting, cancel.
// Failures of the cluster are wf::Error 69 (unavailable) naming the command and Slurm's message.
#include <map>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "history/execution.h"
#include "run/slurm_batch.h"
#include "run/slurm_client.h"

namespace wf::run {

// sbatch; returns the job id ("123" from "123" or "123;cluster").
std::string submit_job(SlurmClient& client, const JobRequest& request);

struct QueueEntry {
  std::string state;   // PENDING, RUNNING, COMPLETING, COMPLETED, FAILED, ...
  std::string reason;  // Dependency, Resources, DependencyNeverSatisfied, None, ...
  std::string node;    // where it runs, once it does
};

// squeue -t all for these jobs: the ones slurmctld still knows (finished jobs stay MinJobAge
// seconds); a job it forgot is absent. Empty `ids` asks nothing.
std::map<std::string, QueueEntry> queue_states(SlurmClient& client, std::span<const std::string> ids);

// A job state after which nothing more happens to the job (COMPLETED, FAILED, CANCELLED, TIMEOUT,
// OUT_OF_MEMORY, NODE_FAIL, BOOT_FAIL, DEADLINE, PREEMPTED). Anything else may still change.
bool is_final_state(std::string_view state);

// A finished job as the cluster accounts for it. `measured` holds what history records: status
// (sacct's mapping, see history/import_sacct.h), exit code and signal, start/end/runtime, TotalCPU
// and MaxRSS of the steps, AllocCPUS, ReqMem, node; run, task, attempt and features are the
// caller's. `usage` is false when only slurmctld answered (no accounting): then no CPU or memory.
struct JobEnd {
  std::string state;     // the first word: "CANCELLED by 0" -> CANCELLED
  bool started = false;  // it ran (a start time is known)
  bool usage = false;
  history::Execution measured;
};

struct AccountingResult {
  // Final jobs only: a job not yet final, not yet in the database, or one that ran but whose steps
  // are not all final there yet (their usage comes separately) is absent: ask again.
  std::map<std::string, JobEnd> ended;
  bool available = true;                // false: accounting storage is disabled on this cluster
};

// sacct -P over the jobs and their steps. When the cluster has no accounting storage, `available`
// is false and nothing is returned: ask scontrol_job_ends() instead.
AccountingResult accounting(SlurmClient& client, std::span<const std::string> ids);

// The same from slurmctld's memory (scontrol show job), for clusters without accounting: state,
// exit code, times and node, no usage. Jobs older than MinJobAge are forgotten there.
std::map<std::string, JobEnd> scontrol_job_ends(SlurmClient& client, std::span<const std::string> ids);

// The final jobs of sacct -P text, as accounting() returns them (exposed for tests).
std::map<std::string, JobEnd> parse_accounting(std::string_view sacct_text);

// scancel; jobs that already ended are ignored by Slurm. A failure is warned about, not thrown:
// cancelling is what wf does when something else already went wrong.
void cancel_jobs(SlurmClient& client, std::span<const std::string> ids);

// The columns wf asks sacct for (history's sacct import reads the same).
inline constexpr const char* kSacctColumns = "JobID,JobName,State,ExitCode,Elapsed,TotalCPU,MaxRSS,ReqMem,AllocCPUS,Start,End,NodeList";

}  // namespace wf::run
