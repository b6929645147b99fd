#include "predict/model_measure.h"

#include <algorithm>
#include <cmath>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "history/execution.h"

namespace wf::predict {

const char* to_string(Measure m) {
  switch (m) {
    case Measure::runtime_s: return "runtime_s";
    case Measure::mem_bytes: return "mem_bytes";
    case Measure::cpus: return "cpus";
    case Measure::read_bytes: return "read_bytes";
    case Measure::write_bytes: return "write_bytes";
  }
  return "runtime_s";
}

double log_offset(Measure m) {
  switch (m) {
    case Measure::runtime_s: return 0.01;
    case Measure::mem_bytes: return 1024.0 * 1024.0;
    case Measure::cpus: return 0.01;
    case Measure::read_bytes:
    case Measure::write_bytes: return 4096;
  }
  return 1;
}

std::optional<double> find_feature(const Features& features, std::string_view name) {
  auto it = std::lower_bound(features.begin(), features.end(), name,
                             [](const auto& f, std::string_view n) { return f.first < n; });
  if (it == features.end() || it->first != name) return std::nullopt;
  return it->second;
}

double slog1p(double x) { return x < 0 ? -std::log1p(-x) : std::log1p(x); }

double MeasureModel::centre_of(std::span<const double> values) const {
  double z = intercept;
  for (size_t j = 0; j < values.size(); ++j) z += slopes[j] * (linear ? values[j] : slog1p(values[j]));
  return linear ? std::log(std::max(z, floor) + offset) : z;
}

std::optional<double> MeasureModel::centre(const Features& x, bool input_within_range) const {
  double values[8];
  std::vector<double> more;
  std::span<double> v(values, features.size() <= 8 ? features.size() : 0);
  if (features.size() > 8) v = (more.resize(features.size()), std::span<double>(more));
  for (size_t j = 0; j < features.size(); ++j) {
    auto f = find_feature(x, features[j]);
    if (!f) return std::nullopt;
    v[j] = *f;
    if (input_within_range && j < feature_range.size() && features[j] == history::kFeatureInputBytes)
      v[j] = std::clamp(v[j], feature_range[j].first, feature_range[j].second);
  }
  return centre_of(v);
}

std::optional<Quantiles> MeasureFit::evaluate(const Features& x, Provenance& from) const {
  if (!chosen) return std::nullopt;
  const MeasureModel* model = &*chosen;
  // CPU use is bounded by a task's threads, not by its input: a regression of it is not read
  // beyond the input sizes it learned from (a trend of 0.1 to 0.2 cores over two input sizes says
  // nothing of 10 times the input), but at the nearest of them. The declared cpus and params, which
  // may say how many threads it runs, are read as they are (bounded, as every level, below).
  const bool input_within_range = measure == Measure::cpus;
  std::optional<double> z = model->centre(x, input_within_range);
  std::string why;
  if (!z && stats) {
    why = fmt::format(" (the task has no {})", fmt::join(chosen->features, ", "));
    model = &*stats;
    z = model->centre(x, input_within_range);
  }
  double offset = log_offset(measure);
  // A regression extrapolates, and so does a tail read beyond the largest of a few residuals (five
  // CPU uses from 0.04 to 1.7 cores put an exponential p99 at thousands of cores): bound the centre
  // (to a multiple of the p95 seen) and every level (of the largest seen), so neither a feature far
  // outside the learned range nor a thin history forecasts absurd demand. CPU use is bounded
  // tighter: a task does not use many times the cores it ever used.
  const double factor = measure == Measure::cpus ? 2.0 : 20.0;
  double centre_cap = summary.n > 0 ? factor * std::max(summary.p95, summary.median) : 0;
  double level_cap = summary.n > 0 ? factor * summary.max : 0;
  // Without a regression the task is one more of those seen, and its CPU use is bounded by its
  // threads, which the largest use seen measures: no level goes above it. CPU time is compressible
  // (a task given a little less than it could use runs a little longer), while a reservation a
  // hair above a whole core (a p95 of 1.03 read off noise) halves what fits on two.
  if (measure == Measure::cpus && model->source != Source::model && summary.n > 0) level_cap = summary.max;
  if (model->source == Source::model && centre_cap > 0) z = std::min(*z, std::log(centre_cap + offset));
  // Beyond the input sizes learned from (evaluate() in the header): how far above the largest, in
  // log units, and how the interval widens for it.
  double beyond = 0;
  std::optional<double> input = find_feature(x, history::kFeatureInputBytes);
  if (input_range && measure != Measure::cpus && input && *input > input_range->second)
    beyond = std::log(*input / input_range->second);
  double leverage = 1;  // a regression on input_bytes: its spread's factor
  bool regression_on_input = model->input_ss > 0;
  if (beyond > 0 && regression_on_input) {
    auto t = [&](double v) { return model->linear ? v : slog1p(v); };
    auto lev = [&](double v) { return std::sqrt(1 + std::pow(t(v) - model->input_mean, 2) / model->input_ss); };
    leverage = lev(*input) / lev(input_range->second);
  }
  auto value = [&](size_t level) {
    double shift = model->spread.at(level) * leverage;
    if (beyond > 0 && !regression_on_input) shift += kLevels[level] * beyond;
    double v = std::max(std::exp(*z + shift) - offset, 0.0);
    return level_cap > 0 ? std::min(v, level_cap) : v;
  };
  Quantiles q{value(2), value(3), value(4), value(5), value(0), value(1)};
  if (lower_bound) {
    q.p95 = std::max(q.p95, *lower_bound);
    q.p99 = std::max(q.p99, q.p95);
  }
  from = Provenance{model->source, model->name + why, model->samples, model->error, model->run_correlation, with_runtime, std::nullopt};
  if (beyond > 0) from.input_ratio = std::exp(beyond);
  return q;
}

}  // namespace wf::predict
