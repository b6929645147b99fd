#pragma once
// The workflow forecast: per-task estimates -> Monte Carlo over simulated runs (several copies of
// the workflow at once, staggered, sharing the capacity) -> makespan, peaks and the demand
// timeline, each as p50 / p95 over the samples. Randomness comes only from the seed.
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "io/json.h"
#include "io/streamed.h"
#include "model/dag.h"
#include "model/workflow.h"
#include "predict/estimate.h"
#include "predict/simulate.h"

namespace wf::predict {

struct ForecastOptions {
  size_t samples = 100;
  uint64_t seed = 1;
  size_t concurrency = 1;    // copies of the workflow run at once
  double stagger_s = 0;      // between the copies' starts
  SimCapacity capacity;
  size_t timeline_points = 120;
};

struct Band {
  double p50 = 0, p95 = 0;
};

struct TimelinePoint {
  double t_s = 0;
  Band tasks, reserved_cpus, reserved_mem_bytes, used_cpus, used_mem_bytes, io_bytes_per_s;
};

struct Forecast {
  ForecastOptions options;
  Band makespan_s;
  Band peak_tasks, peak_reserved_cpus, peak_reserved_mem_bytes, peak_used_cpus, peak_used_mem_bytes, peak_io_bytes_per_s;
  Band slowdown_s;  // time lost to I/O contention, summed over tasks
  double step_s = 0;
  std::vector<TimelinePoint> timeline;
};

// A task's estimate from what the task itself declares (hints), or a default, with provenance;
// what wf-predict uses where history knows nothing of a category.
Estimate hint_estimate(const model::Task& task);
// A task's estimate from its own recorded measurement (replaying a trace); nullopt if it has none.
std::optional<Estimate> recorded_estimate(const model::Task& task);

Forecast forecast(const model::Workflow& wf, const model::Dag& dag, const std::vector<Estimate>& estimates,
                  const ForecastOptions& options);

// The `prediction` section (man wf(7)). Without `tasks`, its per-task list is left empty, for
// prediction_tasks to fill as the document is written (io::Document::stream_list).
io::Json prediction_to_json(const Forecast& f, const model::Workflow& wf, const std::vector<Estimate>& estimates,
                            io::Alloc& a, bool tasks = true);
// The section's per-task list, made while it is written; `wf` and `estimates` must outlive it.
io::StreamedList prediction_tasks(const model::Workflow& wf, const std::vector<Estimate>& estimates);

// The per-task estimates back from a `prediction` section, in the workflow's task order; a task
// missing from it gets hint_estimate. For tools downstream of wf-predict (wf-provision simulates
// the run under the capacity it chose).
std::vector<Estimate> estimates_from_json(const io::Json& prediction, const model::Workflow& wf);
// The host's background a `prediction` section was forecast with (capacity.background_runnable,
// host_cpus), for the tools that simulate the same host again; none when it has none.
HostBackground background_from_json(const io::Json& prediction);

// A terminal summary with a small text chart of demand over time.
std::string render_forecast_table(const Forecast& f, const model::Workflow& wf, const std::vector<Estimate>& estimates);

}  // namespace wf::predict
