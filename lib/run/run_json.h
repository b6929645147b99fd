#pragma once
// The `run` section of the document (man wf(7)): per task the outcome, attempts and measured usage,
// and — where the document holds a prediction — the deviation of the measurement from it.
#include "io/json.h"
#include "model/workflow.h"
#include "run/executor.h"

namespace wf::run {

struct RunInfo {
  std::string id;
  std::string run_dir;
  std::string workdir;
  std::string history_path;
  std::string capacity_source;  // provision, flags or machine
  schedule::Capacity capacity;
  double sample_interval_s = 0;
};

io::Json run_to_json(const RunResult& result, const RunInfo& info, const model::Workflow& wf,
                     const io::Json* prediction, io::Alloc& a);

}  // namespace wf::run
