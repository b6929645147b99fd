#pragma once
// Predictive quantiles from held-out residuals: how far (in log space) the next execution may land
// from a model's centre, read off the residuals the model made on data it had not seen.
//
// Why not a normal assumption: runtimes and memory peaks are skewed and heavy-tailed; the empirical
// distribution of cross-validated residuals is what a p95 must be calibrated against. Why plotting
// positions: with n exchangeable residuals, a new one falls below the i-th smallest with
// probability i/(n+1) (the split-conformal argument), so ranks are read at u·(n+1), not u·n — the
// small-sample widening. Beyond the largest residual (u > n/(n+1), e.g. p95 with fewer than 19
// residuals) the tail is extrapolated as an exponential whose scale is the mean excess over the
// median: a Laplace-shaped tail, heavier than normal, so a small sample errs on the wide side.
// Below the smallest (u < 1/(n+1)) the same, with the mean shortfall under the median.
#include <span>
#include <vector>

namespace wf::predict {

// Quantile levels every estimate carries.
inline constexpr double kLevels[] = {0.10, 0.25, 0.5, 0.9, 0.95, 0.99};

struct Spread {
  double q10 = 0, q25 = 0, q50 = 0, q90 = 0, q95 = 0, q99 = 0;  // nondecreasing
  double at(size_t level) const;  // by index into kLevels
};

// The predictive quantile at u in (0, 1) of the next residual, from residuals sorted ascending
// (non-empty). `min_tail_scale` bounds the exponential tail scale from below.
double predictive_quantile(std::span<const double> ascending, double u, double min_tail_scale);

// Every level of kLevels at once; nondecreasing. Takes the residuals by value: it sorts them.
Spread calibrated_spread(std::vector<double> residuals, double min_tail_scale);

// Median of a non-empty set (the mean of the middle two for an even count).
double median(std::vector<double> values);

}  // namespace wf::predict
