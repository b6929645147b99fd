#pragma once
// One measure of one category: the candidate models, their cross-validated comparison, and the
// chosen model's calibrated quantiles at a task's features.
//
// Everything happens in log space, z = log(value + offset): runtimes, memory peaks and I/O are
// positive, skewed and multiplicative in their inputs, so a power law of the input size is a line
// there and relative errors become symmetric. Candidates:
//   - "median": the category's median (a robust constant); its spread is the held-out residuals'.
//   - "loglinear(f[,g])": Huber regression of z on log1p of one or two numeric features (input_bytes
//     first); "linear(f)": Huber regression of the value itself on one feature, for the affine
//     shape (a fixed base plus a part proportional to the input) that memory often has and a power
//     law cannot bend to. Tried only from min_model_samples on. The one with the lowest held-out error is
//     chosen when that error is below the median's and it wins clearly more of the held-out samples
//     than it loses (a sign test at 5%), so a feature that explains nothing is not chosen by luck.
//   - "max+margin": below min_stats_samples there is too little to hold out; the median, and upper
//     quantiles 1.25 / 1.5 / 2 × the largest value seen.
// Folds are deterministic: leave-one-out up to loo_up_to samples, beyond that sample i goes to fold
// i mod folds.
#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "history/stats.h"
#include "predict/estimate.h"
#include "predict/fit_quantiles.h"

namespace wf::predict {

enum class Measure { runtime_s, mem_bytes, cpus, read_bytes, write_bytes };
inline constexpr size_t kMeasureCount = 5;
inline constexpr std::array<Measure, kMeasureCount> kMeasures = {Measure::runtime_s, Measure::mem_bytes, Measure::cpus,
                                                                 Measure::read_bytes, Measure::write_bytes};
// "runtime_s", "mem_bytes", "cpus", "read_bytes", "write_bytes".
const char* to_string(Measure m);
// Added to a value before its log (so zero stays finite), and the floor of a relative error's
// denominator: 10 ms, 1 MiB, 0.01 cpu, one 4 KiB page.
double log_offset(Measure m);

// A task's or an execution's features, sorted by name (task_features(), history rows).
using Features = std::vector<std::pair<std::string, double>>;
std::optional<double> find_feature(const Features& features, std::string_view name);

struct PredictorOptions {
  size_t min_model_samples = 8;  // a regression competes with the median from here on
  size_t min_stats_samples = 5;  // below: max+margin
  size_t max_samples = 2000;     // the most recent successful executions a category learns from
  size_t loo_up_to = 20;         // leave-one-out up to this many samples, then k-fold
  size_t folds = 10;
  size_t max_features = 4;       // numeric features tried (input_bytes, cpus, then params by name)
  double min_tail_scale = 0.02;  // floor of the extrapolated tail's scale, in log units (about 2%)
  double huber_k = 1.345;
};

// One successful execution's value of the measure, with the execution's features.
struct Observation {
  double value = 0;  // >= 0
  const Features* features = nullptr;
  uint32_t run = 0;  // the run it came from, as a label (equal within a run)
};

// The centre in log space: intercept + Σ slope_j · slog1p(x_j); for a linear model
// log(max(intercept + Σ slope_j · x_j, floor) + offset). The value at level kLevels[i] is
// exp(centre + spread.at(i)) − offset, never below 0.
struct MeasureModel {
  Source source = Source::stats;
  std::string name;                   // "median", "loglinear(input_bytes)", "linear(input_bytes)", "max+margin"
  std::vector<std::string> features;  // what centre() reads, in slope order
  double intercept = 0;
  std::vector<double> slopes;
  bool linear = false;
  double floor = 0;   // linear: the smallest value it learned from (an affine fit can go below zero)
  double offset = 0;  // linear: the measure's log_offset()
  Spread spread;
  size_t samples = 0;
  std::optional<double> error;  // held-out median absolute percentage error (0.1 = 10%)
  double run_correlation = 0;   // of the held-out residuals within a run (fit_correlation.h)
  // A regression on input_bytes: the mean and sum of squared deviations of that feature, as the
  // regression sees it (slog1p, or raw when linear), over the rows it learned from — the leverage
  // that widens its interval beyond them (MeasureFit::evaluate). ss 0: not such a regression.
  double input_mean = 0, input_ss = 0;

  // The smallest and largest value of each feature (in the order of `features`) over the rows
  // the model learned from.
  std::vector<std::pair<double, double>> feature_range;

  // nullopt when `x` lacks one of the model's features. `input_within_range`: input_bytes held to
  // its feature_range first, so the model is read at the nearest input size it learned from.
  std::optional<double> centre(const Features& x, bool input_within_range = false) const;
  // The same from the features' values, in the order of `features`.
  double centre_of(std::span<const double> values) const;
};

// sign(x) · log(1 + |x|): the feature transform.
double slog1p(double x);

struct Candidate {
  std::string name;
  double error = 0;  // held-out median absolute percentage error
};

struct MeasureFit {
  Measure measure = Measure::runtime_s;
  history::Summary summary;            // of the values learned from
  std::optional<MeasureModel> chosen;  // none without a sample
  std::optional<MeasureModel> stats;   // feature-free, for tasks lacking the chosen model's features
  std::vector<Candidate> candidates;   // every model compared, in the order tried
  std::optional<double> lower_bound;   // p95 and p99 never go below it (the largest OOM-killed peak)
  // The smallest and largest input_bytes learned from, when every observation declared a positive
  // one: a task beyond them is an extrapolation, and evaluate() widens its interval.
  std::optional<std::pair<double, double>> input_range;
  double with_runtime = 1;             // correlation with the runtime's draw (set by fit_category)
  // The chosen model's held-out residuals, aligned with the observations; fit_category pairs them
  // across measures, then drops them.
  std::vector<double> residuals;

  // nullopt without a sample; otherwise the quantiles at `x`, and where they came from in `from`.
  //
  // A task whose input_bytes is larger than every one of input_range (CPU use aside: it is bounded
  // by threads, not by the input) is told so in from.input_ratio, and its interval widens with
  // the distance:
  //   - a regression on input_bytes extrapolates its centre along its slope, and its spread grows
  //     as an ordinary least-squares prediction interval does, by sqrt(1 + (t - mean)² / ss) over
  //     the same at the largest learned (t: the feature as the regression sees it);
  //   - any other model does not know how the measure grows with the input: level u moves by
  //     u × log r for an input r times the largest learned from, the quantiles of a growth r^β
  //     with β uniform in [0, 1] — not at all to in proportion — taken at the same level as the
  //     residual's.
  // Below the smallest input nothing changes: a smaller task needs no wider margin, and imported
  // rows may count as input more than a task declares (Nextflow's rchar reads references too).
  // Every level stays bounded as before (20× the largest value seen). A regression of CPU use
  // is read with its input size held to the range it learned (MeasureModel::centre).
  std::optional<Quantiles> evaluate(const Features& x, Provenance& from) const;
};

MeasureFit fit_measure(Measure measure, std::span<const Observation> observations, const PredictorOptions& options);

}  // namespace wf::predict
