#include "predict/memsize_retry.h"

#include <algorithm>

namespace wf::predict {

void ConditionalRetry::add(Bytes usage_bytes, double runtime_s) {
  auto at = std::upper_bound(usage_.begin(), usage_.end(), usage_bytes);
  auto i = static_cast<size_t>(at - usage_.begin());
  usage_.insert(at, usage_bytes);
  runtime_.insert(runtime_.begin() + static_cast<std::ptrdiff_t>(i), runtime_s);
  cum_t_.resize(usage_.size() + 1);
  cum_vt_.resize(usage_.size() + 1);
  for (size_t k = i; k < usage_.size(); ++k) {
    cum_t_[k + 1] = cum_t_[k] + runtime_[k];
    cum_vt_[k + 1] = cum_vt_[k] + static_cast<double>(usage_[k]) * runtime_[k];
  }
}

std::optional<Bytes> ConditionalRetry::next(Bytes failed_bytes, double failure_gbh) const {
  auto from = static_cast<size_t>(std::upper_bound(usage_.begin(), usage_.end(), failed_bytes) - usage_.begin());
  const size_t n = usage_.size();
  if (from == n) return std::nullopt;
  // Costs in byte·seconds. At most 64 candidates spread evenly over the usages above the failure,
  // always including the largest; equal usages are one candidate.
  const double price = failure_gbh * kBytesPerGB * 3600.0;
  const auto top = static_cast<double>(usage_.back());
  const size_t span = n - from;
  const size_t steps = std::min<size_t>(span, 64);
  Bytes best = usage_.back();
  double best_cost = 0;
  bool have = false;
  for (size_t s = 1; s <= steps; ++s) {
    size_t k = from + (span * s) / steps - 1;
    while (k + 1 < n && usage_[k + 1] == usage_[k]) ++k;
    auto c = static_cast<double>(usage_[k]);
    double fits = c * runtime_sum(from, k + 1) - weighted_sum(from, k + 1);
    double above_t = runtime_sum(k + 1, n);
    auto above_n = static_cast<double>(n - k - 1);
    double fails = c * above_t + price * above_n + top * above_t - weighted_sum(k + 1, n);
    if (!have || fits + fails < best_cost) {
      have = true;
      best_cost = fits + fails;
      best = usage_[k];
    }
  }
  return best;
}

}  // namespace wf::predict
