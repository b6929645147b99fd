#include "predict/memsize.h"

#include <algorithm>
#include <cmath>

#include "util/error.h"

namespace wf::predict {

void MemorySizer::train(std::span<const MemorySample> history) {
  for (const auto& s : history) observe(s);
}

double quantile_sorted(std::span<const double> ascending, double q) {
  if (ascending.empty()) fail(util::Exit::software, "quantile_sorted: empty range");
  double pos = std::clamp(q, 0.0, 1.0) * static_cast<double>(ascending.size() - 1);
  auto lo = static_cast<size_t>(std::floor(pos));
  size_t hi = std::min(lo + 1, ascending.size() - 1);
  double frac = pos - static_cast<double>(lo);
  return ascending[lo] + (ascending[hi] - ascending[lo]) * frac;
}

}  // namespace wf::predict
