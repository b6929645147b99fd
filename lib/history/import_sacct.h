#pragma once
// Slurm accounting as history: the output of
//   sacct -P -o JobID,JobName,State,ExitCode,Elapsed,TotalCPU,MaxRSS,ReqMem,AllocCPUS,Start,End,NodeList
// ('|' separated). With a header row the columns are found by name (JobID and State are required,
// any others may be absent or in any order); without one (--noheader) the twelve columns above are
// expected in that order.
//
// Steps ("123.batch", "123.extern", "123.0") fold into their job ("123", also "123_4" for array
// tasks): MaxRSS is the largest over the job and its steps; TotalCPU is the larger of the job's
// own and the sum of its steps'. State, ExitCode ("exit:signal"), Elapsed, ReqMem, AllocCPUS,
// Start, End and NodeList come from the job's line. ReqMem "4000M"/"4G"/"4000Mn" is per node,
// "4000Mc" per cpu (× AllocCPUS); a bare number is MiB. Times are read in local time, as sacct
// prints them.
//
// Names: a job named "wf.<run>.<task>" (as wf-run's Slurm executor names them) gives run id <run>
// and task id <task>; any other name is the task id and the run id comes from the options. The
// category is the caller's rule (by default the task id). Jobs of one (run, task) are numbered as
// attempts 1, 2, ... in the order they appear.
//
// States: COMPLETED -> succeeded; FAILED, NODE_FAIL, BOOT_FAIL -> failed; TIMEOUT, DEADLINE ->
// timeout; OUT_OF_MEMORY -> oom; CANCELLED -> cancelled; PREEMPTED -> interrupted. Jobs still
// PENDING/RUNNING/REQUEUED/SUSPENDED/RESIZING, and jobs that never started (Start "Unknown" or
// "None"), are skipped.
#include <functional>
#include <string>
#include <string_view>

#include "history/import.h"

namespace wf::history {

struct SacctOptions : ImportOptions {
  // Category of a job from its run id, task id and JobName; "" skips the job. Null: the task id.
  std::function<std::string(std::string_view run_id, std::string_view task_id, std::string_view job_name)>
      category;
};

Parsed parse_sacct(std::string_view text, const std::string& name, const SacctOptions& options = {});

ImportResult import_sacct(Store& store, const std::string& path, SacctOptions options = {});

}  // namespace wf::history
