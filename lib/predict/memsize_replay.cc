#include "predict/memsize_replay.h"

#include <algorithm>

#include "util/error.h"

namespace wf::predict {

double SizingCost::maq() const {
  double denom = usage_gbh + wastage_gbh();
  return denom > 0 ? usage_gbh / denom : 1.0;
}

SizingCost& SizingCost::operator+=(const SizingCost& o) {
  usage_gbh += o.usage_gbh;
  over_gbh += o.over_gbh;
  failed_gbh += o.failed_gbh;
  failures += o.failures;
  tasks += o.tasks;
  return *this;
}

double gb_hours(double bytes, double runtime_s) { return bytes / kBytesPerGB * (runtime_s / 3600.0); }

SizingCost account(std::span<const Bytes> allocations, const MemorySample& task) {
  SizingCost c;
  c.tasks = 1;
  c.usage_gbh = gb_hours(static_cast<double>(task.usage_bytes), task.runtime_s);
  for (Bytes a : allocations) {
    if (a < task.usage_bytes) {
      ++c.failures;
      c.failed_gbh += gb_hours(static_cast<double>(a), task.runtime_s);
    } else {
      c.over_gbh += gb_hours(static_cast<double>(a - task.usage_bytes), task.runtime_s);
    }
  }
  return c;
}

std::vector<Bytes> attempts(const MemorySizer& sizer, const MemorySample& task) {
  constexpr int kMaxAttempts = 64;
  std::vector<Bytes> out{sizer.first(task.feature)};
  while (out.back() < task.usage_bytes) {
    auto attempt = static_cast<int>(out.size());
    Bytes next = sizer.retry(task.feature, out.back(), std::nullopt, attempt);
    if (next <= out.back() || attempt >= kMaxAttempts)
      fail(util::Exit::software, "memory sizer '{}': attempt {} with {} bytes failed and the retry gives {} bytes",
           sizer.name(), attempt, out.back(), next);
    out.push_back(next);
  }
  return out;
}

SizingCost replay(MemorySizer& sizer, std::span<const MemorySample> history, std::span<const MemorySample> stream) {
  sizer.train(history);
  SizingCost total;
  for (const auto& task : stream) {
    total += account(attempts(sizer, task), task);
    sizer.observe(task);
  }
  return total;
}

SizingCost score_fixed(std::span<const Bytes> requested, std::span<const MemorySample> tasks) {
  if (requested.size() != tasks.size())
    fail(util::Exit::software, "score_fixed: {} requests for {} tasks", requested.size(), tasks.size());
  SizingCost total;
  for (size_t i = 0; i < tasks.size(); ++i) {
    ++total.tasks;
    total.usage_gbh += gb_hours(static_cast<double>(tasks[i].usage_bytes), tasks[i].runtime_s);
    total.over_gbh += gb_hours(static_cast<double>(std::max<Bytes>(requested[i] - tasks[i].usage_bytes, 0)),
                               tasks[i].runtime_s);
  }
  return total;
}

}  // namespace wf::predict
