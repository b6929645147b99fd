#include "predict/estimate.h"

#include <algorithm>
#include <cmath>

#include "history/execution.h"

namespace wf::predict {

namespace {

// Log-linear interpolation between (qa, a) and (qb, b) at u; linear where either is not positive.
double between(double qa, double a, double qb, double b, double u) {
  double f = (u - qa) / (qb - qa);
  if (a <= 0 || b <= 0) return a + f * (b - a);
  return std::exp(std::log(a) + f * (std::log(b) - std::log(a)));
}

}  // namespace

double Quantiles::lower10() const {
  if (p10) return *p10;
  // The mirror of p50..p90 (a symmetric log shape), never above a given p25.
  double mirror = p50 > 0 && p90 > 0 ? p50 * p50 / p90 : p50;
  return p25 ? std::min(mirror, *p25) : mirror;
}

double Quantiles::lower25() const {
  if (p25) return *p25;
  return between(0.10, lower10(), 0.50, p50, 0.25);
}

double Quantiles::at(double u) const {
  u = std::clamp(u, 1e-6, 1 - 1e-6);
  auto safe = [](double v) { return std::max(v, 1e-12); };
  if (u >= 0.99) {
    // Beyond p99: continue the p95..p99 log slope, at most doubling p99.
    double slope = std::log(safe(p99) / safe(p95)) / (0.99 - 0.95);
    return std::min(p99 * std::exp(slope * (u - 0.99)), 2 * p99);
  }
  if (u > 0.50) {
    if (u <= 0.90) return between(0.50, p50, 0.90, p90, u);
    if (u <= 0.95) return between(0.90, p90, 0.95, p95, u);
    return between(0.95, p95, 0.99, p99, u);
  }
  // Below the median the lower knots are read only when needed: the simulator calls this for
  // every task, measure and sample, and lower25() of a distribution without p25 costs a log-linear
  // interpolation that the single p10..p50 stretch makes unnecessary (it lies on that stretch).
  double lo10 = lower10();
  if (u <= 0.10) return lo10;
  if (!p25) return between(0.10, lo10, 0.50, p50, u);
  return u <= 0.25 ? between(0.10, lo10, 0.25, *p25, u) : between(0.25, *p25, 0.50, p50, u);
}

const char* to_string(Source s) {
  switch (s) {
    case Source::model: return "model";
    case Source::stats: return "stats";
    case Source::hints: return "hints";
    case Source::recorded: return "recorded";
    case Source::fallback: return "fallback";
  }
  return "fallback";
}

std::vector<std::pair<std::string, double>> task_features(const model::Workflow& wf, const model::Task& task) {
  std::vector<std::pair<std::string, double>> out;
  if (auto in = task.input_bytes()) out.emplace_back(std::string(history::kFeatureInputBytes), static_cast<double>(*in));
  if (task.hints.cpus) out.emplace_back(std::string(history::kFeatureCpus), *task.hints.cpus);
  // Numeric params: the task's own, then the workflow's that the task does not override.
  for (const auto& p : task.params)
    if (p.number) out.emplace_back("param." + p.name, *p.number);
  for (const auto& p : wf.params) {
    bool overridden = std::any_of(task.params.begin(), task.params.end(), [&](const auto& q) { return q.name == p.name; });
    if (p.number && !overridden) out.emplace_back("param." + p.name, *p.number);
  }
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace wf::predict
