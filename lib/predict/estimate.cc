#include "predict/estimate.h"

#include <algorithm>
#include <cmath>

#include "history/execution.h"

namespace wf::predict {

double Quantiles::at(double u) const {
  u = std::clamp(u, 1e-6, 1 - 1e-6);
  // Knots in (quantile, value); below p50 the spread mirrors p50..p90 (a symmetric log shape).
  struct Knot {
    double q, v;
  };
  auto safe = [](double v) { return std::max(v, 1e-12); };
  double lo10 = p50 > 0 && p90 > 0 ? p50 * p50 / p90 : p50;
  Knot knots[] = {{0.10, lo10}, {0.50, p50}, {0.90, p90}, {0.95, p95}, {0.99, p99}};
  if (u <= knots[0].q) return knots[0].v;
  if (u >= 0.99) {
    // Beyond p99: continue the p95..p99 log slope, at most doubling p99.
    double slope = std::log(safe(p99) / safe(p95)) / (0.99 - 0.95);
    return std::min(p99 * std::exp(slope * (u - 0.99)), 2 * p99);
  }
  for (size_t i = 1; i < std::size(knots); ++i) {
    if (u <= knots[i].q) {
      const Knot& a = knots[i - 1];
      const Knot& b = knots[i];
      double f = (u - a.q) / (b.q - a.q);
      if (a.v <= 0 || b.v <= 0) return a.v + f * (b.v - a.v);
      return std::exp(std::log(a.v) + f * (std::log(b.v) - std::log(a.v)));
    }
  }
  return p99;
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
