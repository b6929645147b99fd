#include "predict/fit_correlation.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <numeric>
#include <vector>

namespace wf::predict {

double normal_quantile(double u) {
  static const double a[] = {-3.969683028665376e+01, 2.209460984245205e+02, -2.759285104469687e+02,
                             1.383577518672690e+02, -3.066479806614716e+01, 2.506628277459239e+00};
  static const double b[] = {-5.447609879822406e+01, 1.615858368580409e+02, -1.556989798598866e+02,
                             6.680131188771972e+01, -1.328068155288572e+01};
  static const double c[] = {-7.784894002430293e-03, -3.223964580411365e-01, -2.400758277161838e+00,
                             -2.549732539343734e+00, 4.374664141464968e+00, 2.938163982698783e+00};
  static const double d[] = {7.784695709041462e-03, 3.224671290700398e-01, 2.445134137142996e+00, 3.754408661907416e+00};
  auto tail = [&](double q) {
    return (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) /
           ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
  };
  u = std::clamp(u, 1e-300, 1 - 1e-16);
  if (u < 0.02425) return tail(std::sqrt(-2 * std::log(u)));
  if (u > 1 - 0.02425) return -tail(std::sqrt(-2 * std::log(1 - u)));
  double q = u - 0.5, r = q * q;
  return (((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q /
         (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1);
}

double normal_cdf(double z) { return 0.5 * std::erfc(-z / std::sqrt(2.0)); }


namespace {

// Normal scores: Phi^-1((rank + 0.5) / n), ties sharing their mean rank.
std::vector<double> normal_scores(std::span<const double> v) {
  std::vector<size_t> order(v.size());
  std::iota(order.begin(), order.end(), size_t{0});
  std::stable_sort(order.begin(), order.end(), [&](size_t i, size_t j) { return v[i] < v[j]; });
  std::vector<double> out(v.size());
  const double n = static_cast<double>(v.size());
  for (size_t i = 0; i < order.size();) {
    size_t j = i;
    while (j < order.size() && v[order[j]] == v[order[i]]) ++j;
    double mid = (static_cast<double>(i + j - 1) / 2 + 0.5) / n;
    for (size_t k = i; k < j; ++k) out[order[k]] = normal_quantile(mid);
    i = j;
  }
  return out;
}

}  // namespace

double run_correlation(std::span<const double> residuals, std::span<const uint32_t> run_of) {
  struct Group {
    double sum = 0;
    size_t n = 0;
  };
  // On the normal scores of the residuals: the simulator shares the correlation on the normal
  // scale of its Gaussian copula, so that is the scale to measure it on. On the residuals
  // themselves, a long lower tail (CPU use of 0.01 beside 1.0) swamps the run's shift.
  const std::vector<double> scores = normal_scores(residuals);
  std::map<uint32_t, Group> groups;
  for (size_t i = 0; i < scores.size(); ++i) {
    Group& g = groups[run_of[i]];
    g.sum += scores[i];
    ++g.n;
  }
  const double n = static_cast<double>(residuals.size());
  const double k = static_cast<double>(groups.size());
  if (groups.size() < 2 || n - k < 1) return 0;
  // Within: the pooled variance about each run's mean.
  double within = 0;
  for (size_t i = 0; i < scores.size(); ++i) {
    const Group& g = groups[run_of[i]];
    double d = scores[i] - g.sum / static_cast<double>(g.n);
    within += d * d;
  }
  const double msw = within / (n - k);
  // Between: the variance of the runs' means, each run counted once, less what the within-run
  // noise puts into a mean of n_i samples (msw / n_i on average).
  double mean_of_means = 0, noise = 0;
  for (const auto& [run, g] : groups) {
    mean_of_means += g.sum / static_cast<double>(g.n);
    noise += msw / static_cast<double>(g.n);
  }
  mean_of_means /= k;
  double spread = 0;
  for (const auto& [run, g] : groups) spread += std::pow(g.sum / static_cast<double>(g.n) - mean_of_means, 2);
  const double sigma_b2 = std::max(0.0, spread / (k - 1) - noise / k);
  if (sigma_b2 + msw <= 0) return 0;
  return std::clamp(sigma_b2 / (sigma_b2 + msw), 0.0, 1.0);
}

std::optional<double> paired_correlation(std::span<const double> a, std::span<const double> b, size_t min_pairs) {
  if (a.size() != b.size() || a.size() < std::max<size_t>(min_pairs, 3)) return std::nullopt;
  std::vector<double> x = normal_scores(a), y = normal_scores(b);
  double sxy = 0, sxx = 0, syy = 0;
  for (size_t i = 0; i < x.size(); ++i) {
    sxy += x[i] * y[i];
    sxx += x[i] * x[i];
    syy += y[i] * y[i];
  }
  if (sxx <= 0 || syy <= 0) return std::nullopt;
  return std::clamp(sxy / std::sqrt(sxx * syy), -1.0, 1.0);
}

}  // namespace wf::predict
