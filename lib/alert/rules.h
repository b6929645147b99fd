#pragma once
// The rules that call a measurement anomalous, shared by the in-run detector and by
// `wf-history anomalies`. Header-only: wf-history judges history with these same rules without
// linking the alert sinks.
//
// A measurement is anomalous when it is ABOVE its limit. Only the high side is flagged: a task
// that needs more time, memory, CPU or I/O than usual is what costs money and capacity; one that
// needs less is not a resource alert (its failure, if it failed, is reported as a failure).
//
// The limit of a (category, measure) comes from one of two places, the first that applies:
//   - the model's interval (the document's `prediction`, source model or stats, learned from at
//     least min_samples rows): limit = p99 x p99_factor;
//   - robust statistics over the category's history (at least min_samples positive values), on
//     the log scale: m = median(log x), s = max(1.4826 x MAD(log x), min_log_spread), and
//     limit = exp(m + z x s), i.e. a robust z-score above z.
// Either way the limit is at least p50 + the measure's floor (floor_of): 1 s against 0.1 s is a
// huge ratio and no anomaly anyone should be paged for.
#include <algorithm>
#include <array>
#include <cmath>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace wf::alert {

enum class Measure { runtime_s, peak_rss_bytes, cpu_time_s, read_bytes, write_bytes };
inline constexpr std::array<Measure, 5> kMeasures = {Measure::runtime_s, Measure::peak_rss_bytes, Measure::cpu_time_s,
                                                     Measure::read_bytes, Measure::write_bytes};
inline constexpr size_t kMeasureCount = kMeasures.size();

// The measure's name in alerts and history ("runtime_s"), and the alert kind ("runtime").
inline std::string_view measure_name(Measure m) {
  constexpr std::array<std::string_view, kMeasureCount> names = {"runtime_s", "peak_rss_bytes", "cpu_time_s",
                                                                 "read_bytes", "write_bytes"};
  return names[static_cast<size_t>(m)];
}
inline std::string_view kind_name(Measure m) {
  constexpr std::array<std::string_view, kMeasureCount> names = {"runtime", "memory", "cpu", "read", "write"};
  return names[static_cast<size_t>(m)];
}
inline std::optional<Measure> parse_kind(std::string_view s) {
  for (Measure m : kMeasures)
    if (kind_name(m) == s || measure_name(m) == s) return m;
  return std::nullopt;
}

struct Thresholds {
  double z = 5;                  // robust z-score above which a value is anomalous (history)
  size_t min_samples = 8;        // fewer rows than this: no baseline, no alert
  double p99_factor = 1.5;       // the model's p99 times this is the limit (prediction)
  double min_log_spread = 0.1;   // floor of the scaled MAD on the log scale (~10%): a category
                                 // that always took the same time does not alert on +5%
  double critical_factor = 2;    // a value past limit x this is "critical", else "warning"
  // Absolute floors of (limit - p50), per measure (see floor_of).
  double runtime_floor_s = 10;
  double cpu_floor_s = 10;
  double mem_floor_bytes = 64.0 * (1 << 20);
  double io_floor_bytes = 256.0 * (1 << 20);
  double floor_of(Measure m) const {
    switch (m) {
      case Measure::runtime_s: return runtime_floor_s;
      case Measure::cpu_time_s: return cpu_floor_s;
      case Measure::peak_rss_bytes: return mem_floor_bytes;
      default: return io_floor_bytes;
    }
  }
};

// What is expected of one measure of one task.
struct Expected {
  double p50 = 0;
  double p99 = 0;
  double limit = 0;     // above this: anomalous
  std::string source;   // "history" or "prediction:<model>"
  size_t samples = 0;
  double log_median = 0, log_spread = 0;  // history only (robust z); spread 0 for the model
};

// Robust statistics of positive values on the log scale; nullopt when fewer than min_samples of
// the values are positive and finite.
inline std::optional<Expected> expected_from_history(const std::vector<double>& values, Measure m, const Thresholds& t) {
  std::vector<double> logs;
  logs.reserve(values.size());
  for (double v : values)
    if (v > 0 && std::isfinite(v)) logs.push_back(std::log(v));
  if (logs.empty() || logs.size() < t.min_samples) return std::nullopt;
  auto median = [](std::vector<double>& v) {
    size_t n = v.size();
    std::nth_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(n / 2), v.end());
    double hi = v[n / 2];
    if (n % 2) return hi;
    double lo = *std::max_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(n / 2));
    return (lo + hi) / 2;
  };
  Expected e;
  e.samples = logs.size();
  e.log_median = median(logs);
  for (double& l : logs) l = std::abs(l - e.log_median);
  e.log_spread = std::max(1.4826 * median(logs), t.min_log_spread);
  e.p50 = std::exp(e.log_median);
  e.p99 = std::exp(e.log_median + 2.326 * e.log_spread);
  e.limit = std::max(std::exp(e.log_median + t.z * e.log_spread), e.p50 + t.floor_of(m));
  e.source = "history";
  return e;
}

// From the model's quantiles (the document's prediction).
inline Expected expected_from_model(double p50, double p99, std::string model, size_t samples, Measure m,
                                    const Thresholds& t) {
  Expected e;
  e.p50 = p50;
  e.p99 = p99;
  e.limit = std::max(p99 * t.p99_factor, p50 + t.floor_of(m));
  e.source = "prediction:" + std::move(model);
  e.samples = samples;
  return e;
}

// The robust z-score of a value against a history baseline; nullopt for a model interval.
inline std::optional<double> robust_z(const Expected& e, double value) {
  if (e.log_spread <= 0 || !(value > 0)) return std::nullopt;
  return (std::log(value) - e.log_median) / e.log_spread;
}

enum class Severity { warning, critical };
inline std::string_view to_string(Severity s) { return s == Severity::critical ? "critical" : "warning"; }

// nullopt when the value is within its limit.
inline std::optional<Severity> judge(const Expected& e, double value, const Thresholds& t) {
  if (!(value > e.limit)) return std::nullopt;
  return value > e.limit * t.critical_factor ? Severity::critical : Severity::warning;
}

}  // namespace wf::alert
