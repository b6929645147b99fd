#include "predict/model_category.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <map>
#include <string_view>

#include "predict/contention.h"
#include "predict/fit_correlation.h"

namespace wf::predict {
namespace {

// What the predictor learns runtime and CPU use from: the runtime on an idle host (contention.h),
// the recorded one where the host's load is unknown.
std::optional<double> runtime_of(const history::Execution& e) { return uncontended_runtime(e); }

std::optional<double> value_of(const history::Execution& e, Measure m) {
  auto as_double = [](const std::optional<std::int64_t>& v) { return v ? std::optional<double>(static_cast<double>(*v)) : std::nullopt; };
  switch (m) {
    case Measure::runtime_s: return runtime_of(e);
    case Measure::mem_bytes: return as_double(e.peak_rss_bytes);
    case Measure::cpus: {
      auto runtime = runtime_of(e);
      if (!e.cpu_time_s || !runtime || *runtime <= 0) return std::nullopt;
      return *e.cpu_time_s / *runtime;
    }
    case Measure::read_bytes: return as_double(e.read_bytes);
    case Measure::write_bytes: return as_double(e.write_bytes);
  }
  return std::nullopt;
}

// What an OOM-killed attempt proves the task needed at least.
std::optional<double> oom_bound(const history::Execution& e) {
  std::optional<std::int64_t> b = e.peak_rss_bytes;
  if (e.mem_reserved_bytes && (!b || *e.mem_reserved_bytes > *b)) b = e.mem_reserved_bytes;
  return b ? std::optional<double>(static_cast<double>(*b)) : std::nullopt;
}

// Each measure's correlation with the runtime, from the rows that have both residuals.
void pair_with_runtime(CategoryFit& fit, const std::array<std::vector<size_t>, kMeasureCount>& row_of, size_t rows,
                       const PredictorOptions& options) {
  const auto rt = static_cast<size_t>(Measure::runtime_s);
  std::vector<double> runtime_residual(rows, std::nan(""));
  const MeasureFit& runtime = fit.measures[rt];
  if (runtime.residuals.size() == row_of[rt].size())
    for (size_t k = 0; k < row_of[rt].size(); ++k) runtime_residual[row_of[rt][k]] = runtime.residuals[k];
  for (Measure m : kMeasures) {
    auto mi = static_cast<size_t>(m);
    MeasureFit& f = fit.measures[mi];
    if (m != Measure::runtime_s && f.residuals.size() == row_of[mi].size()) {
      std::vector<double> a, b;
      for (size_t k = 0; k < row_of[mi].size(); ++k)
        if (double r = runtime_residual[row_of[mi][k]]; !std::isnan(r)) a.push_back(r), b.push_back(f.residuals[k]);
      if (auto c = paired_correlation(a, b, options.min_model_samples)) f.with_runtime = *c;
    }
  }
  for (auto& f : fit.measures) f.residuals = {};
}

}  // namespace

CategoryFit fit_category(std::string category, std::span<const history::Execution> rows, const PredictorOptions& options) {
  CategoryFit fit;
  fit.category = std::move(category);
  std::vector<const history::Execution*> learned;
  std::optional<double> oom_peak;
  for (const auto& e : rows) {
    if (e.status == history::Status::succeeded) learned.push_back(&e);
    if (e.status != history::Status::oom) continue;
    ++fit.oom;
    if (auto b = oom_bound(e)) oom_peak = std::max(oom_peak.value_or(0), *b);
  }
  if (learned.size() > options.max_samples)
    learned.erase(learned.begin(), learned.end() - static_cast<std::ptrdiff_t>(options.max_samples));
  fit.executions = learned.size();
  // Runs as small labels, numbered in order of first appearance.
  std::map<std::string_view, uint32_t> run_label;
  std::vector<uint32_t> run_of;
  for (const auto* e : learned)
    run_of.push_back(run_label.emplace(e->run_id, static_cast<uint32_t>(run_label.size())).first->second);
  // Per measure, which learned row each observation is (to pair residuals across measures).
  std::array<std::vector<size_t>, kMeasureCount> row_of;
  for (Measure m : kMeasures) {
    std::vector<Observation> obs;
    for (size_t i = 0; i < learned.size(); ++i)
      if (auto v = value_of(*learned[i], m); v && *v >= 0) {
        obs.push_back({*v, &learned[i]->features, run_of[i]});
        row_of[static_cast<size_t>(m)].push_back(i);
      }
    fit.measures[static_cast<size_t>(m)] = fit_measure(m, obs, options);
  }
  pair_with_runtime(fit, row_of, learned.size(), options);
  if (oom_peak) fit.measures[static_cast<size_t>(Measure::mem_bytes)].lower_bound = oom_peak;
  return fit;
}

}  // namespace wf::predict
