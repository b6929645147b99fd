#pragma once
// The baselines of the memory-sizing literature (Witt et al. 2019, Tovar et al. 2018, as the Sizey
// paper runs them on the nf-core traces), exactly as /work/shared/notes/memory-sizing.md defines
// them. They are here to be beaten, and to be swapped in for wf's sizer when a site wants one.
#include <map>
#include <vector>

#include "predict/memsize.h"
#include "predict/memsize_regression.h"

namespace wf::predict {

// Running population mean and variance (Welford).
class RunningStd {
 public:
  void add(double v);
  size_t count() const { return n_; }
  double stddev() const;  // population; 0 when empty

 private:
  size_t n_ = 0;
  double mean_ = 0, m2_ = 0;
};

// The largest usage seen so far; retry doubles.
class MaxSeenSizer final : public MemorySizer {
 public:
  std::string name() const override { return "max-seen"; }
  Bytes first(double feature) const override;
  Bytes retry(double feature, Bytes failed_bytes, std::optional<Bytes> measured, int attempt) const override;
  void observe(const MemorySample& sample) override;

 private:
  Bytes max_bytes_ = 0;
};

// A quantile (0.95) of the usages seen so far, linearly interpolated; retry doubles.
class PercentileSizer final : public MemorySizer {
 public:
  explicit PercentileSizer(double quantile) : quantile_(quantile) {}
  std::string name() const override;
  Bytes first(double feature) const override;
  Bytes retry(double feature, Bytes failed_bytes, std::optional<Bytes> measured, int attempt) const override;
  void observe(const MemorySample& sample) override;

 private:
  double quantile_;
  std::vector<double> ascending_;
};

// Least squares of usage on input size, refit after every task; allocation = prediction × (1 +
// offset), the offset being the population std of the relative errors (y − pred) / y of the
// predictions made so far (only the under-predictions, > 0, for std_under). A non-positive
// allocation becomes the largest usage seen. Retry doubles.
class LinearOffsetSizer final : public MemorySizer {
 public:
  explicit LinearOffsetSizer(OffsetMode mode) : mode_(mode) {}
  std::string name() const override;
  void train(std::span<const MemorySample> history) override;  // fits, records no errors
  Bytes first(double feature) const override;
  Bytes retry(double feature, Bytes failed_bytes, std::optional<Bytes> measured, int attempt) const override;
  void observe(const MemorySample& sample) override;

 private:
  void learn(const MemorySample& sample);
  OffsetMode mode_;
  OnlineRegression regression_{1};
  RunningStd errors_;        // every relative error
  RunningStd under_errors_;  // the positive ones (the task used more than predicted)
  Bytes max_bytes_ = 0;
};

// Tovar et al.'s first allocation in waste mode: ignores the input; among the usages v seen, the one
// minimising v·E[t] + v_max·E[t·1(y > v)]. Retry: the largest usage seen, then a whole node.
class TovarSizer final : public MemorySizer {
 public:
  std::string name() const override { return "tovar"; }
  Bytes first(double feature) const override;
  Bytes retry(double feature, Bytes failed_bytes, std::optional<Bytes> measured, int attempt) const override;
  void observe(const MemorySample& sample) override;

 private:
  std::map<Bytes, double> runtime_by_usage_;  // accumulated runtime per distinct usage
  size_t count_ = 0;
};

}  // namespace wf::predict
