#include "predict/memsize_adaptive.h"

#include <algorithm>
#include <cmath>

#include "predict/memsize_replay.h"
#include "util/error.h"

namespace wf::predict {
namespace {

enum Estimate { log_linear, linear, nearest_max, max_seen, median_seen, kEstimates };
const char* const kEstimateNames[kEstimates] = {"log-linear", "linear", "nearest-max", "max-seen", "median"};

double log_input(double feature) { return std::log1p(std::max(feature, 0.0)); }

}  // namespace

AdaptiveSizer::AdaptiveSizer(AdaptiveOptions options) : options_(options) {
  for (int k = 0; k < kEstimates; ++k) {
    for (double m = 0.7; m < 4.0; m *= 1.04) experts_.push_back({k, false, m});
    for (double m : {1.0, 1.02, 1.05, 1.1, 1.2}) {
      if (k == max_seen && m == 1.0) safe_ = experts_.size();
      experts_.push_back({k, true, m});
    }
  }
  wastage_gbh_.assign(experts_.size(), 0.0);
  failures_.assign(experts_.size(), 0);
  max_ratio_.assign(kEstimates, 1.0);
}

std::vector<double> AdaptiveSizer::estimates(double feature) const {
  std::vector<double> e(kEstimates, static_cast<double>(max_bytes_));
  double lx = log_input(feature);
  if (auto p = log_regression_.predict({&lx, 1})) e[log_linear] = std::exp(*p);
  if (auto p = linear_regression_.predict({&feature, 1})) e[linear] = std::max(*p, static_cast<double>(min_bytes_));
  // The largest usage among the `neighbours` seen inputs closest in log size; among equally close
  // ones, the most recent.
  const size_t n = usages_.size();
  std::vector<std::pair<double, size_t>> near;  // (distance, age: 0 = the latest seen)
  near.reserve(n);
  for (size_t i = 0; i < n; ++i) near.emplace_back(std::abs(log_features_[i] - lx), n - 1 - i);
  auto k = std::min(n, static_cast<size_t>(std::max(options_.neighbours, 1)));
  std::partial_sort(near.begin(), near.begin() + static_cast<std::ptrdiff_t>(k), near.end());
  e[nearest_max] = 0;
  for (size_t i = 0; i < k; ++i) e[nearest_max] = std::max(e[nearest_max], usages_[n - 1 - near[i].second]);
  const auto& asc = ladder_.ascending();
  if (!asc.empty()) e[median_seen] = static_cast<double>(asc[(asc.size() - 1) / 2]);
  for (auto& v : e) v = std::max(v, 1.0);
  return e;
}

Bytes AdaptiveSizer::allocation(const Expert& x, const std::vector<double>& est) const {
  auto k = static_cast<size_t>(x.estimate);
  double want = est[k] * x.factor * (x.envelope ? max_ratio_[k] : 1.0);
  double cap = std::min(static_cast<double>(max_bytes_) * options_.cap_margin,
                        static_cast<double>(options_.node_bytes));
  return std::max<Bytes>(1, static_cast<Bytes>(std::ceil(std::min(want, cap))));
}

double AdaptiveSizer::failure_price_gbh() const {
  double per_task_gbh = usages_.empty() ? 0.0 : usage_gbh_ / static_cast<double>(usages_.size());
  return options_.failure_tasks * per_task_gbh + options_.failure_gbh;
}

// The expert of least priced wastage; ties keep the safe expert, then the earlier one.
size_t AdaptiveSizer::chosen() const {
  double price = failure_price_gbh();
  auto score = [&](size_t i) { return wastage_gbh_[i] + price * static_cast<double>(failures_[i]); };
  size_t best = safe_;
  double best_score = score(safe_);
  for (size_t i = 0; i < experts_.size(); ++i) {
    double s = score(i);
    if (s < best_score) {
      best = i;
      best_score = s;
    }
  }
  return best;
}

AdaptiveSizer::Choice AdaptiveSizer::choice() const {
  const auto& x = experts_[chosen()];
  auto k = static_cast<size_t>(x.estimate);
  return {kEstimateNames[k], x.envelope, x.factor * (x.envelope ? max_ratio_[k] : 1.0)};
}

Bytes AdaptiveSizer::first(double feature) const {
  if (usages_.empty()) return std::min(kUnseenBytes, options_.node_bytes);
  auto e = estimates(feature);
  if (static_cast<int>(usages_.size()) < options_.warmup) return allocation({max_seen, false, options_.cap_margin}, e);
  return allocation(experts_[chosen()], e);
}

double AdaptiveSizer::growth() const {
  if (record_ratios_.empty()) return options_.max_growth;
  double g = *std::max_element(record_ratios_.begin(), record_ratios_.end());
  return std::clamp(g, options_.min_growth, options_.max_growth);
}

Bytes AdaptiveSizer::retry(double, Bytes failed_bytes, std::optional<Bytes> measured, int) const {
  Bytes floor = std::max(failed_bytes, measured.value_or(0));
  Bytes ceiling = std::max(options_.node_bytes, failed_bytes);
  auto next = ladder_.next(floor, failure_price_gbh());
  Bytes grown = next ? *next : static_cast<Bytes>(std::ceil(static_cast<double>(floor) * growth()));
  return std::min(std::max(grown, floor + 1), ceiling);
}

AdaptiveSizer::RowCost AdaptiveSizer::cost_of(Bytes first_bytes, const MemorySample& task) const {
  RowCost c;
  Bytes a = first_bytes;
  for (int attempt = 1; a < task.usage_bytes; ++attempt) {
    c.gbh += gb_hours(static_cast<double>(a), task.runtime_s);
    ++c.failures;
    Bytes next = retry(task.feature, a, std::nullopt, attempt);
    if (next <= a || attempt >= 64) {  // cannot grow: charge the whole node as a failure
      c.gbh += gb_hours(static_cast<double>(options_.node_bytes), task.runtime_s);
      return c;
    }
    a = next;
  }
  c.gbh += gb_hours(static_cast<double>(a - task.usage_bytes), task.runtime_s);
  return c;
}

void AdaptiveSizer::observe(const MemorySample& s) {
  if (s.usage_bytes <= 0 || !(s.runtime_s >= 0) || !std::isfinite(s.feature))
    fail(util::Exit::data, "memory sizer: an execution with usage {} bytes, runtime {} s, input {} cannot be learned",
         s.usage_bytes, s.runtime_s, s.feature);
  auto y = static_cast<double>(s.usage_bytes);
  // Score every expert on this task before learning it: the prequential evaluation.
  if (static_cast<int>(usages_.size()) >= options_.warmup) {
    auto e = estimates(s.feature);
    for (size_t i = 0; i < experts_.size(); ++i) {
      auto c = cost_of(allocation(experts_[i], e), s);
      wastage_gbh_[i] += c.gbh;
      failures_[i] += c.failures;
    }
    for (size_t k = 0; k < kEstimates; ++k) max_ratio_[k] = std::max(max_ratio_[k], y / e[k]);
  }
  if (max_bytes_ > 0 && s.usage_bytes > max_bytes_) record_ratios_.push_back(y / static_cast<double>(max_bytes_));
  max_bytes_ = std::max(max_bytes_, s.usage_bytes);
  min_bytes_ = min_bytes_ == 0 ? s.usage_bytes : std::min(min_bytes_, s.usage_bytes);
  usage_gbh_ += gb_hours(y, s.runtime_s);
  ladder_.add(s.usage_bytes, s.runtime_s);
  double lx = log_input(s.feature);
  log_regression_.add({&lx, 1}, std::log(y));
  linear_regression_.add({&s.feature, 1}, y);
  log_features_.push_back(lx);
  usages_.push_back(y);
}

std::unique_ptr<MemorySizer> make_adaptive_sizer(AdaptiveOptions options) {
  return std::make_unique<AdaptiveSizer>(options);
}

}  // namespace wf::predict
