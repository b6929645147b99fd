#pragma once
// From a finished job to the attempt's outcome, and the next request after a memory kill.
#include <string>
#include <string_view>

#include "run/executor.h"
#include "run/slurm_jobs.h"

namespace wf::run {

// succeeded, failed, timeout, oom, cancelled (by someone else) or interrupted (cancelled by wf:
// the run was stopped, or a failure elsewhere ended it).
//
// Memory: OUT_OF_MEMORY (cgroup enforcement) is oom; so is a job killed by SIGKILL (OverMemoryKill
// ends it FAILED, ExitCode 0:9) whose log holds Slurm's "exceeded memory limit", or whose MaxRSS
// reached 90% of its --mem (accounting samples RSS, so the peak it saw is below the true one).
std::string attempt_status(const JobEnd& end, double reserved_mem_bytes, std::string_view log_tail, bool cancelled_by_wf);

// The attempt as the run section reports it (run_json.h).
AttemptResult attempt_result(const JobEnd& end, const std::string& status, const schedule::Demand& reserved);

// A memory retry's --mem: accounting gives only the peak (no trend), so `growth` (1.5) over the
// largest of what was measured, what was asked and what Slurm granted (ReqMem, the site's default
// when wf asked none); at most cap_bytes when that is known (> 0), rounded up to whole MiB.
double grown_memory(const JobEnd& end, double reserved_mem_bytes, double growth, double cap_bytes);

// The last `max_bytes` of a file ("" when it cannot be read): where Slurm's memory-kill message is.
std::string file_tail(const std::string& path, size_t max_bytes = 64 * 1024);

}  // namespace wf::run
