#pragma once
// What wf submits for one task attempt: a batch script (written into the run directory) and the
// sbatch command line that submits it. Pure functions: no cluster, no files.
//
// The script runs under /bin/sh: it changes to the workdir, exports WF_RUN_ID, WF_TASK_ID,
// WF_ATTEMPT, WF_CPUS and WF_MEM as the local executor does, then runs the task's command. A shell
// command is copied into the script verbatim (its params were shell-quoted when it was rendered),
// so it is parsed by exactly one shell, as `/bin/sh -c` would; an argv command is written as one
// exec line of shell-quoted words.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "model/workflow.h"

namespace wf::run {

struct BatchScript {
  std::string run_id;
  std::string task_id;
  int attempt = 1;
  std::string workdir;
  model::Command command;
  int cpus = 1;
  uint64_t mem_bytes = 0;
};

std::string batch_script(const BatchScript& s);

struct JobRequest {
  std::string name;         // job_name()
  std::string script_path;  // absolute
  std::string workdir;      // --chdir
  std::string out_path, err_path;  // absolute; '%' is escaped for sbatch's filename patterns
  std::string partition;    // empty: the cluster's default
  std::string reservation;  // empty: none
  int cpus = 1;             // --cpus-per-task
  uint64_t mem_mib = 0;     // --mem; 0 leaves it to the site's default (DefMemPerCPU)
  std::optional<int> time_min;        // --time; none: the partition's default limit
  std::vector<std::string> after_ok;  // --dependency=afterok:A:B
  int begin_in_s = 0;                 // --begin=now+N (a retry's backoff); 0: at once
};

// sbatch --parsable ... SCRIPT. Dependencies carry --kill-on-invalid-dep=yes, so a job whose parent
// failed is cancelled by Slurm even where the site does not set kill_invalid_depend.
std::vector<std::string> sbatch_argv(const JobRequest& r);

// "wf.<run>.<task>", every character outside [A-Za-z0-9._-] replaced by '_' and dots in the run
// id too (history's sacct import splits the name at the first dot after "wf."); at most 200 bytes.
std::string job_name(std::string_view run_id, std::string_view task_id);

// A run's standing in the Slurm queue, from the workflow's priority (higher is served first):
// every job of the run is submitted with --nice=-(priority x kNicePerPriority). Nice moves a job's
// priority in both priority/basic (where each job otherwise ranks one below the one submitted
// before it: first come, first served, so one priority level is worth 100 earlier submissions)
// and priority/multifactor (where it is subtracted from the computed priority, age and fair share
// included), so Slurm's own ordering still breaks ties.
// Slurm refuses a negative nice from a user who is neither root, SlurmUser nor an operator
// ("Invalid --nice value"): then a positive priority cannot lift the jobs, and they go at nice 0.
inline constexpr int kNicePerPriority = 100;
// |nice| is kept under 60000: priority/basic adds -nice to a priority that starts at 2^32 - 2^16
// in 32-bit arithmetic, so a larger lift wraps around to the bottom of the queue (seen on Slurm
// 22.05: nice -66000 gave priority 27). Priorities beyond +-600 rank as +-600.
inline constexpr long long kMaxNice = 60000;

// The nice for a workflow priority, clamped to Slurm's range; never negative unless `privileged`.
long long job_nice(int priority, bool privileged);
// sbatch's word for it ("--nice=-5000"); none for 0, so an unprioritised run submits as before.
std::vector<std::string> nice_args(long long nice);
// Whether sbatch's stderr says a negative nice was refused for want of privilege.
bool nice_refused(std::string_view sbatch_error);

// --mem in MiB for a reservation in bytes: rounded up, 0 for none.
uint64_t mem_mib(double mem_bytes);
// --time in whole minutes (Slurm's granularity), rounded up, at least 1.
int time_minutes(double seconds);

}  // namespace wf::run
