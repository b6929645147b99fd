#pragma once
// The retry rule of wf's memory sizer within the usages seen. When an attempt holding `a` bytes is
// killed, all that is known is that the task needs more than `a`. The executions of the category
// that used more than `a` are the evidence of what it may need; the next allocation is the seen
// usage c > a that minimises their runtime-weighted expected cost:
//   tasks with a < v <= c:  (c − v)·t                      the surplus
//   tasks with v > c:       c·t + F + (M − v)·t            one more killed attempt (priced F on top
//                                                          of its c·t), then the largest usage, M
// so a wide spread of usages is climbed in one or two steps instead of one jump to M or a blind
// doubling. Beyond the largest usage seen there is no evidence: the sizer grows by a learned factor.
#include <optional>
#include <vector>

#include "predict/memsize.h"

namespace wf::predict {

class ConditionalRetry {
 public:
  void add(Bytes usage_bytes, double runtime_s);
  size_t size() const { return usage_.size(); }
  const std::vector<Bytes>& ascending() const { return usage_; }

  // The next allocation after an attempt with `failed_bytes` was killed, each further failure priced
  // `failure_gbh` GB·h beyond its a·t; nullopt when no seen usage exceeds `failed_bytes`.
  std::optional<Bytes> next(Bytes failed_bytes, double failure_gbh) const;

 private:
  // Σ t and Σ v·t over the sorted entries [from, to).
  double runtime_sum(size_t from, size_t to) const { return cum_t_[to] - cum_t_[from]; }
  double weighted_sum(size_t from, size_t to) const { return cum_vt_[to] - cum_vt_[from]; }

  std::vector<Bytes> usage_;                      // ascending
  std::vector<double> runtime_;                   // in the order of usage_
  std::vector<double> cum_t_{0.0}, cum_vt_{0.0};  // prefix sums, one longer than usage_
};

}  // namespace wf::predict
