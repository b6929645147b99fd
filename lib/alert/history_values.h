#pragma once
// The measures of a history row, as rules.h names them. Header-only, like rules.h, so wf-history
// reads rows the way the detector does without linking the alert sinks.
#include <optional>
#include <vector>

#include "alert/rules.h"
#include "history/execution.h"
#include "predict/contention.h"

namespace wf::alert {

// The value of one measure of one row, if recorded. A runtime is the one the predictor learns:
// taken back to an idle host where the row recorded a loaded one.
inline std::optional<double> measure_value(const history::Execution& e, Measure m) {
  auto as_double = [](const auto& v) { return v ? std::optional<double>(static_cast<double>(*v)) : std::nullopt; };
  switch (m) {
    case Measure::runtime_s: return predict::uncontended_runtime(e);  // as on an idle host, as learned
    case Measure::cpu_time_s: return e.cpu_time_s;
    case Measure::peak_rss_bytes: return as_double(e.peak_rss_bytes);
    case Measure::read_bytes: return as_double(e.read_bytes);
    case Measure::write_bytes: return as_double(e.write_bytes);
  }
  return std::nullopt;
}

// The values of one measure over rows (missing values left out).
inline std::vector<double> measure_values(const std::vector<history::Execution>& rows, Measure m) {
  std::vector<double> out;
  out.reserve(rows.size());
  for (const auto& r : rows)
    if (auto v = measure_value(r, m)) out.push_back(*v);
  return out;
}

}  // namespace wf::alert
