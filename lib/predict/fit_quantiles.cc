#include "predict/fit_quantiles.h"

#include <algorithm>
#include <cmath>
#include <iterator>

namespace wf::predict {

double Spread::at(size_t level) const {
  switch (level) {
    case 0: return q10;
    case 1: return q25;
    case 2: return q50;
    case 3: return q90;
    case 4: return q95;
    default: return q99;
  }
}

double median(std::vector<double> values) {
  size_t mid = values.size() / 2;
  std::nth_element(values.begin(), values.begin() + static_cast<std::ptrdiff_t>(mid), values.end());
  double hi = values[mid];
  if (values.size() % 2 == 1) return hi;
  double lo = *std::max_element(values.begin(), values.begin() + static_cast<std::ptrdiff_t>(mid));
  return (lo + hi) / 2;
}

namespace {

// Mean distance from the median of the upper (or lower) half: the scale of an exponential tail.
double tail_scale(std::span<const double> ascending, double floor, bool upper) {
  double med = median({ascending.begin(), ascending.end()});
  double sum = 0;
  size_t count = 0;
  for (double r : ascending)
    if (upper ? r > med : r < med) {
      sum += upper ? r - med : med - r;
      ++count;
    }
  return std::max(count ? sum / static_cast<double>(count) : 0.0, floor);
}

}  // namespace

double predictive_quantile(std::span<const double> ascending, double u, double min_tail_scale) {
  const auto n = static_cast<double>(ascending.size());
  double rank = u * (n + 1);  // 1-based, fractional
  if (rank >= 1 && rank <= n) {
    auto lo = static_cast<size_t>(std::floor(rank));
    double f = rank - static_cast<double>(lo);
    double a = ascending[lo - 1];
    double b = ascending[std::min(lo, ascending.size() - 1)];
    return a + f * (b - a);
  }
  if (rank > n) return ascending.back() + tail_scale(ascending, min_tail_scale, true) * std::log(1 / ((n + 1) * (1 - u)));
  return ascending.front() - tail_scale(ascending, min_tail_scale, false) * std::log(1 / ((n + 1) * u));
}

Spread calibrated_spread(std::vector<double> residuals, double min_tail_scale) {
  std::sort(residuals.begin(), residuals.end());
  constexpr size_t kCount = std::size(kLevels);
  double q[kCount];
  for (size_t i = 0; i < kCount; ++i) {
    q[i] = predictive_quantile(residuals, kLevels[i], min_tail_scale);
    if (i > 0) q[i] = std::max(q[i], q[i - 1]);
  }
  return {q[0], q[1], q[2], q[3], q[4], q[5]};
}

}  // namespace wf::predict
