#pragma once
// What the predictor says about one task: for each measure, quantiles of its distribution, and
// where they came from. The simulator draws from these; wf-run reserves their p95.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "model/workflow.h"

namespace wf::predict {

// Quantiles of a positive quantity. p10 <= p25 <= p50 <= p90 <= p95 <= p99 always.
//
// The lower two are optional: a distribution known only from the median up (a hint, a document
// written before they existed) mirrors its upper spread below p50. Where history measured them
// they matter to a sum over many tasks: CPU use of a single-threaded task sits at 1.0 core for
// most runs and well below for the rest (p10 0.3, p50 1.0 in seismology), so a mirror of the
// upper spread would draw every task at 1.0 and forecast a peak above any recorded one.
struct Quantiles {
  double p50 = 0, p90 = 0, p95 = 0, p99 = 0;
  std::optional<double> p10 = std::nullopt, p25 = std::nullopt;
  // A value at quantile u in (0, 1), interpolated log-linearly between the known quantiles
  // (a log-normal-shaped tail beyond p99; p10 itself below p10; without the lower quantiles,
  // p10 and p25 mirror the upper spread).
  double at(double u) const;
  // p10 and p25, given or mirrored from the upper spread.
  double lower10() const;
  double lower25() const;
  static Quantiles point(double v) { return {v, v, v, v, v, v}; }
};

// Where an estimate came from, most informed first.
enum class Source {
  model,   // a fitted model of the category on the task's features
  stats,   // the category's empirical distribution (too few samples, or no useful feature)
  hints,   // the task's own declared resources / duration
  recorded,  // the task's recorded measurement (a WfFormat trace), used as is
  fallback,  // nothing known: a default, said so
};
const char* to_string(Source s);

struct Provenance {
  Source source = Source::fallback;
  std::string model;     // e.g. "loglinear(input_bytes)", "median+mad", "hint"
  size_t samples = 0;    // history rows it learned from
  std::optional<double> error;  // held-out median absolute percentage error, where measured
  // How much the category's tasks of one run move together on this measure (0: independently,
  // 1: as one), learned from history (fit_correlation.h); the simulator shares that part of each
  // task's draw among the category's tasks of a simulated run. The quantiles hold the whole spread.
  double run_correlation = 0;
  // The correlation of this measure's draw with the task's runtime draw (normal scores), learned
  // from history (fit_correlation.h); 1, the default, draws it at the runtime's level.
  double with_runtime = 1;
  // The task's input_bytes over the largest learned from, when it is larger (> 1): the estimate
  // extrapolates, and its interval is widened for it (MeasureFit::evaluate). nullopt otherwise,
  // or where input sizes are unknown.
  std::optional<double> input_ratio;
};

struct Estimate {
  Quantiles runtime_s, cpus, mem_bytes, read_bytes, write_bytes;
  Provenance runtime_from, cpus_from, mem_from, io_from;
};

// The features of a task as the history records them (history::kFeatureInputBytes, "cpus",
// "param.<name>"), sorted by name. Shared by wf-run's recording and the predictor's lookups, so
// both speak of the same thing.
std::vector<std::pair<std::string, double>> task_features(const model::Workflow& wf, const model::Task& task);

}  // namespace wf::predict
