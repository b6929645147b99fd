#include "predict/model_category.h"

#include <algorithm>

namespace wf::predict {
namespace {

std::optional<double> runtime_of(const history::Execution& e) {
  if (e.runtime_s) return e.runtime_s;
  if (e.start_s && e.end_s) return *e.end_s - *e.start_s;
  return std::nullopt;
}

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
  for (Measure m : kMeasures) {
    std::vector<Observation> obs;
    for (const auto* e : learned)
      if (auto v = value_of(*e, m); v && *v >= 0) obs.push_back({*v, &e->features});
    fit.measures[static_cast<size_t>(m)] = fit_measure(m, obs, options);
  }
  if (oom_peak) fit.measures[static_cast<size_t>(Measure::mem_bytes)].lower_bound = oom_peak;
  return fit;
}

}  // namespace wf::predict
