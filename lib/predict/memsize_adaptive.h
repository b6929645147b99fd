#pragma once
// wf's memory sizer: a per-category, cost-aware choice among candidate allocation rules, scored
// online by the wastage each would have caused.
//
// Candidates ("experts") are a base estimate × a multiplier. Base estimates come from the executions
// seen so far: input-size regression in log space and in linear space (Eigen, refit after every
// task), the largest usage among the nearest inputs, the largest and the median usage. Multipliers
// are a geometric grid (a fixed offset), or the largest usage / estimate ratio seen so far × a small
// margin (the estimate's upper envelope).
//
// Before a finished task is learned, every expert is charged what its allocation would have cost on
// it, with this sizer's own retry rule: surplus × t when it fits; the killed attempt's a × t, the
// retries' cost, and a price per failure when it does not. The score is therefore the wastage the
// expert would have produced in this category, measured only on tasks it had not seen (prequential),
// and first() answers with the expert of least score: the offset is chosen to minimise expected
// over-allocation plus failure cost, weighted by runtime, instead of being a fixed percentile. The
// price per failure (a few average tasks' usage plus a fixed amount) stands for what the accounting
// leaves out — rescheduling, delay — and keeps the sizer from trading many failures for little
// memory in small categories. Allocations never exceed the largest usage seen × a margin.
//
// Retry grows from what failed: within the usages seen, ConditionalRetry picks the next step from the
// executions that needed more than the failed allocation; beyond the largest usage seen, the
// allocation grows by a factor learned from how far new maxima have exceeded the previous maximum
// (within [min_growth, max_growth]); never past the node.
#include <string>
#include <vector>

#include "predict/memsize.h"
#include "predict/memsize_regression.h"
#include "predict/memsize_retry.h"

namespace wf::predict {

struct AdaptiveOptions {
  Bytes node_bytes = kNodeBytes;  // no allocation ever exceeds this
  double cap_margin = 1.5;        // a first allocation never exceeds the largest usage seen × this
  int warmup = 3;                 // executions seen before experts are scored and trusted
  int neighbours = 8;             // nearest inputs for the local estimate
  double min_growth = 1.25;       // bounds of the learned growth beyond the largest usage seen
  double max_growth = 2.0;
  double failure_tasks = 3.0;     // price of a failure, in average tasks' usage (y·t) of the category
  double failure_gbh = 0.03;      // plus this many GB·h
};

class AdaptiveSizer final : public MemorySizer {
 public:
  explicit AdaptiveSizer(AdaptiveOptions options = {});
  std::string name() const override { return "wf"; }
  Bytes first(double feature) const override;
  Bytes retry(double feature, Bytes failed_bytes, std::optional<Bytes> measured, int attempt) const override;
  void observe(const MemorySample& sample) override;

  // The expert first() uses now, for reports and tests.
  struct Choice {
    std::string estimate;   // "log-linear", "linear", "nearest-max", "max-seen", "median"
    bool envelope = false;  // multiplier from the envelope rather than the fixed grid
    double multiplier = 1;  // the effective multiplier of the estimate
  };
  Choice choice() const;

 private:
  struct Expert {
    int estimate = 0;
    bool envelope = false;
    double factor = 1;
  };
  struct RowCost {
    double gbh = 0;  // the accounting's wastage
    long failures = 0;
  };
  std::vector<double> estimates(double feature) const;  // one per base estimate, >= 1
  Bytes allocation(const Expert& expert, const std::vector<double>& estimates) const;
  size_t chosen() const;
  double failure_price_gbh() const;
  double growth() const;
  RowCost cost_of(Bytes first_bytes, const MemorySample& task) const;

  AdaptiveOptions options_;
  std::vector<Expert> experts_;
  size_t safe_ = 0;                     // the max-seen envelope: the choice until evidence says otherwise
  std::vector<double> wastage_gbh_;     // per expert, prequential wastage
  std::vector<long> failures_;          // per expert, prequential failures
  std::vector<double> max_ratio_;       // per estimate, the largest usage / estimate (prequential)
  std::vector<double> log_features_;    // log1p(feature) of the tasks seen, in order
  std::vector<double> usages_;          // their usages, in the same order
  std::vector<double> record_ratios_;   // new maximum / previous maximum, each time one appeared
  ConditionalRetry ladder_;             // the usages seen, sorted, for retries and the median
  OnlineRegression log_regression_{1};
  OnlineRegression linear_regression_{1};
  Bytes max_bytes_ = 0;
  Bytes min_bytes_ = 0;
  double usage_gbh_ = 0;                // Σ y·t of the tasks seen
};

std::unique_ptr<MemorySizer> make_adaptive_sizer(AdaptiveOptions options = {});

}  // namespace wf::predict
