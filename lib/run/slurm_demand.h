#pragma once
// What each task asks Slurm for, from the document: cpus from the task's hint (a job gets whole
// CPUs, and a declared thread count is what it should ask for), else the forecast's cpus.p95
// (schedule::cpu_reservation), else 1; memory from the forecast's mem_bytes.p95, else the hint,
// else none (as the local executor reserves it); plus a time limit: the task's timeout when
// it has one, else twice the forecast's p99 runtime (at least a minute), else none (the
// partition's default).
#include <optional>
#include <vector>

#include "io/document.h"

namespace wf::run {

struct SlurmTaskDemand {
  double cpus = 1;
  double mem_bytes = 0;  // 0: none asked (the site's default applies)
  std::optional<double> time_limit_s;
  bool time_from_forecast = false;  // a timeout retry may then double it
  double expected_s = 1;            // p50 runtime, else the hint, else 1
};

// In the workflow's task order.
std::vector<SlurmTaskDemand> slurm_demands(const io::Document& doc);

// The forecast's peak reservation (prediction.peaks.reserved_cpus / reserved_mem_bytes, p95);
// without a prediction, the largest single task's demand: what at least must fit at once.
struct PeakDemand {
  double cpus = 0;
  double mem_bytes = 0;
  bool from_forecast = false;
};
PeakDemand peak_demand(const io::Document& doc, const std::vector<SlurmTaskDemand>& demands);

}  // namespace wf::run
