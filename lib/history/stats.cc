#include "history/stats.h"

#include <algorithm>
#include <cmath>

namespace wf::history {
namespace {

// Linear interpolation between the order statistics of sorted `v` at rank q*(n-1) (R type 7).
double quantile(const std::vector<double>& v, double q) {
  double rank = q * static_cast<double>(v.size() - 1);
  auto lo = static_cast<size_t>(std::floor(rank));
  size_t hi = std::min(lo + 1, v.size() - 1);
  double frac = rank - static_cast<double>(lo);
  return v[lo] + (v[hi] - v[lo]) * frac;
}

}  // namespace

Summary summarize(std::vector<double> values) {
  Summary s;
  s.n = values.size();
  if (values.empty()) return s;
  std::sort(values.begin(), values.end());
  s.median = quantile(values, 0.5);
  s.p95 = quantile(values, 0.95);
  s.max = values.back();
  std::vector<double> deviations;
  deviations.reserve(values.size());
  for (double v : values) deviations.push_back(std::abs(v - s.median));
  std::sort(deviations.begin(), deviations.end());
  s.mad = quantile(deviations, 0.5);
  return s;
}

}  // namespace wf::history
