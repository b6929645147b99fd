#pragma once
// Robust summaries of a category's measurements, for the predictor and for `wf history stats`.
#include <cstddef>
#include <string>
#include <vector>

namespace wf::history {

// Over the non-missing values only; all zero when n == 0.
struct Summary {
  size_t n = 0;
  double median = 0;
  double mad = 0;  // median absolute deviation from the median, unscaled (no 1.4826 factor)
  double p95 = 0;  // 95th percentile, linear interpolation between order statistics (R type 7)
  double max = 0;
  friend bool operator==(const Summary&, const Summary&) = default;
};

// Takes the values by value: it sorts them.
Summary summarize(std::vector<double> values);

struct CategoryStats {
  std::string category;
  size_t count = 0;  // executions that matched, whatever they measured
  Summary runtime_s;
  Summary peak_rss_bytes;
  Summary cpu_time_s;
};

}  // namespace wf::history
