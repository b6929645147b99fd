#include "predict/memsize_baselines.h"

#include <algorithm>
#include <cmath>

#include <fmt/format.h>

namespace wf::predict {
namespace {

Bytes ceil_bytes(double v) { return static_cast<Bytes>(std::ceil(v)); }

}  // namespace

void RunningStd::add(double v) {
  ++n_;
  double d = v - mean_;
  mean_ += d / static_cast<double>(n_);
  m2_ += d * (v - mean_);
}

double RunningStd::stddev() const { return n_ == 0 ? 0.0 : std::sqrt(std::max(0.0, m2_ / static_cast<double>(n_))); }

// --- max-seen ---------------------------------------------------------------------------------

Bytes MaxSeenSizer::first(double) const { return max_bytes_ > 0 ? max_bytes_ : kUnseenBytes; }

Bytes MaxSeenSizer::retry(double, Bytes failed_bytes, std::optional<Bytes>, int) const { return 2 * failed_bytes; }

void MaxSeenSizer::observe(const MemorySample& sample) { max_bytes_ = std::max(max_bytes_, sample.usage_bytes); }

// --- percentile -------------------------------------------------------------------------------

std::string PercentileSizer::name() const { return fmt::format("percentile-{}", std::lround(quantile_ * 100)); }

Bytes PercentileSizer::first(double) const {
  if (ascending_.empty()) return kUnseenBytes;
  return ceil_bytes(quantile_sorted(ascending_, quantile_));
}

Bytes PercentileSizer::retry(double, Bytes failed_bytes, std::optional<Bytes>, int) const {
  return 2 * failed_bytes;
}

void PercentileSizer::observe(const MemorySample& sample) {
  auto v = static_cast<double>(sample.usage_bytes);
  ascending_.insert(std::upper_bound(ascending_.begin(), ascending_.end(), v), v);
}

// --- linear + std offset ----------------------------------------------------------------------

std::string LinearOffsetSizer::name() const { return mode_ == OffsetMode::std_all ? "lr-std" : "lr-std-under"; }

void LinearOffsetSizer::train(std::span<const MemorySample> history) {
  for (const auto& s : history) learn(s);
}

void LinearOffsetSizer::learn(const MemorySample& sample) {
  double x = sample.feature;
  regression_.add({&x, 1}, static_cast<double>(sample.usage_bytes));
  max_bytes_ = std::max(max_bytes_, sample.usage_bytes);
}

Bytes LinearOffsetSizer::first(double feature) const {
  auto pred = regression_.predict({&feature, 1});
  if (!pred) return kUnseenBytes;
  double offset = mode_ == OffsetMode::std_all ? errors_.stddev() : under_errors_.stddev();
  double alloc = *pred * (1.0 + offset);
  return alloc > 0 ? ceil_bytes(alloc) : max_bytes_;
}

Bytes LinearOffsetSizer::retry(double, Bytes failed_bytes, std::optional<Bytes>, int) const {
  return 2 * failed_bytes;
}

void LinearOffsetSizer::observe(const MemorySample& sample) {
  // The error of the prediction this task was sized from: the model has not learned it yet.
  double x = sample.feature;
  if (auto pred = regression_.predict({&x, 1})) {
    auto y = static_cast<double>(sample.usage_bytes);
    double err = (y - *pred) / y;
    errors_.add(err);
    if (err > 0) under_errors_.add(err);
  }
  learn(sample);
}

// --- Tovar, waste mode ------------------------------------------------------------------------

Bytes TovarSizer::first(double) const {
  if (runtime_by_usage_.empty()) return kUnseenBytes;
  // Scan usages from the largest down; `above_s` is the runtime of tasks strictly above v.
  double total_s = 0;
  for (const auto& [v, t] : runtime_by_usage_) total_s += t;
  auto n = static_cast<double>(count_);
  double mean_s = total_s / n;
  Bytes v_max = runtime_by_usage_.rbegin()->first;
  Bytes best = v_max;
  double best_cost = static_cast<double>(v_max) * mean_s;
  double above_s = 0;
  for (auto it = runtime_by_usage_.rbegin(); it != runtime_by_usage_.rend(); ++it) {
    double cost = static_cast<double>(it->first) * mean_s + static_cast<double>(v_max) * (above_s / n);
    if (cost < best_cost) {
      best_cost = cost;
      best = it->first;
    }
    above_s += it->second;
  }
  return best;
}

Bytes TovarSizer::retry(double, Bytes failed_bytes, std::optional<Bytes>, int) const {
  Bytes v_max = runtime_by_usage_.empty() ? 0 : runtime_by_usage_.rbegin()->first;
  if (failed_bytes < v_max) return v_max;
  return std::max(failed_bytes, kNodeBytes);
}

void TovarSizer::observe(const MemorySample& sample) {
  runtime_by_usage_[sample.usage_bytes] += sample.runtime_s;
  ++count_;
}

// --- factories --------------------------------------------------------------------------------

std::unique_ptr<MemorySizer> make_max_seen_sizer() { return std::make_unique<MaxSeenSizer>(); }
std::unique_ptr<MemorySizer> make_percentile_sizer(double quantile) {
  return std::make_unique<PercentileSizer>(quantile);
}
std::unique_ptr<MemorySizer> make_linear_sizer(OffsetMode mode) { return std::make_unique<LinearOffsetSizer>(mode); }
std::unique_ptr<MemorySizer> make_tovar_sizer() { return std::make_unique<TovarSizer>(); }

}  // namespace wf::predict
