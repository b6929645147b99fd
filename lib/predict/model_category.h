#pragma once
// Everything the predictor learned about one category: a fitted model per measure, from the
// category's history rows.
//
// Which rows teach what: successful executions give every measure (runtime_s; cpus = cpu_time_s /
// runtime_s; mem_bytes = peak_rss_bytes; read/write bytes), the most recent max_samples of them.
// An attempt killed for lack of memory says only that the task needed more than it had — its
// peak, or its reservation if larger — so it never enters a fit: the largest such bound becomes
// the memory model's lower_bound, below which p95 and p99 are never set. Other failures teach
// nothing.
#include <span>
#include <string>

#include "history/execution.h"
#include "predict/model_measure.h"

namespace wf::predict {

struct CategoryFit {
  std::string category;
  size_t executions = 0;  // successful rows learned from
  size_t oom = 0;         // OOM-killed attempts seen
  std::array<MeasureFit, kMeasureCount> measures;

  const MeasureFit& at(Measure m) const { return measures[static_cast<size_t>(m)]; }
};

// `rows`: the category's history in the store's order (by end time, then id), any status.
CategoryFit fit_category(std::string category, std::span<const history::Execution> rows,
                         const PredictorOptions& options = {});

}  // namespace wf::predict
