#include "report/axis.h"

#include <algorithm>
#include <array>
#include <cmath>

#include <fmt/format.h>

#include "model/units.h"

namespace wf::report {
namespace {

constexpr std::array<const char*, 6> kBinary = {"B", "KiB", "MiB", "GiB", "TiB", "PiB"};

// The smallest of 1, 2, 2.5, 5 × 10^k that is at least `raw`.
double nice_step(double raw) {
  double p = std::pow(10.0, std::floor(std::log10(raw)));
  for (double m : {1.0, 2.0, 2.5, 5.0, 10.0})
    if (m * p >= raw * (1 - 1e-12)) return m * p;
  return 10 * p;
}

double time_step(double raw) {
  static constexpr std::array<double, 22> steps = {1,    2,    5,    10,    15,    30,    60,    120,   300,    600,    900,
                                                   1800, 3600, 7200, 10800, 21600, 43200, 86400, 172800, 432000, 864000, 1728000};
  for (double s : steps)
    if (s >= raw * (1 - 1e-12)) return s;
  return nice_step(raw / 86400) * 86400;
}

// 1024^k that brings `max` into [1, 1024).
double binary_scale(double max) {
  double scale = 1;
  for (size_t u = 0; u + 1 < kBinary.size() && max >= 1024 * scale; ++u) scale *= 1024;
  return scale;
}

std::string trimmed(std::string s) {
  if (s.find('.') == std::string::npos) return s;
  while (s.back() == '0') s.pop_back();
  if (s.back() == '.') s.pop_back();
  return s;
}

}  // namespace

Ticks nice_ticks(double max, Unit unit, int target) {
  if (!(max > 0) || !std::isfinite(max)) max = 1;
  double raw = max / std::max(1, target);
  double step;
  if (unit == Unit::seconds) {
    step = raw < 1 ? nice_step(raw) : time_step(raw);
  } else if (unit == Unit::bytes || unit == Unit::bytes_per_s) {
    double scale = binary_scale(max);
    step = nice_step(raw / scale) * scale;
  } else {
    step = nice_step(raw);
  }
  if (unit == Unit::cpus && step < 0.25 && max >= 1) step = 0.25;
  Ticks t;
  int n = static_cast<int>(std::ceil(max / step - 1e-9));
  for (int i = 0; i <= std::max(1, n); ++i) t.values.push_back(i * step);
  t.top = t.values.back();
  return t;
}

std::string plain(double v) {
  if (!std::isfinite(v)) return "-";
  double a = std::fabs(v);
  if (a >= 1e6) return fmt::format("{:.3g}", v);
  if (a >= 100 || a == 0) return fmt::format("{:.0f}", v);
  if (a >= 10) return trimmed(fmt::format("{:.1f}", v));
  if (a >= 1) return trimmed(fmt::format("{:.2f}", v));
  return trimmed(fmt::format("{:.3f}", v));
}

std::string grouped(uint64_t v) {
  std::string digits = fmt::format("{}", v), out;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return out;
}

std::string axis_label(double v, Unit unit) {
  switch (unit) {
    case Unit::cpus: return plain(v);
    case Unit::seconds: {
      if (v == 0) return "0";
      if (v < 60) return plain(v) + "s";
      long long s = std::llround(v);
      if (s < 3600) return s % 60 ? fmt::format("{}m{:02}s", s / 60, s % 60) : fmt::format("{}m", s / 60);
      if (s < 86400) return s % 3600 ? fmt::format("{}h{:02}m", s / 3600, (s % 3600) / 60) : fmt::format("{}h", s / 3600);
      return s % 86400 ? fmt::format("{}d{:02}h", s / 86400, (s % 86400) / 3600) : fmt::format("{}d", s / 86400);
    }
    case Unit::bytes:
    case Unit::bytes_per_s: {
      if (v == 0) return "0";
      double scale = binary_scale(v);
      size_t u = static_cast<size_t>(std::lround(std::log2(scale) / 10));
      return plain(v / scale) + kBinary[u] + (unit == Unit::bytes_per_s ? "/s" : "");
    }
  }
  return plain(v);
}

std::string tick_label(double v, Unit unit, double step) {
  if ((unit != Unit::bytes && unit != Unit::bytes_per_s) || v == 0 || !(step > 0)) return axis_label(v, unit);
  double scale = binary_scale(step);
  size_t u = static_cast<size_t>(std::lround(std::log2(scale) / 10));
  return plain(v / scale) + kBinary[u] + (unit == Unit::bytes_per_s ? "/s" : "");
}

std::string format_value(double v, Unit unit) {
  switch (unit) {
    case Unit::cpus: return plain(v) + (std::fabs(v - 1) < 1e-9 ? " cpu" : " cpus");
    case Unit::seconds: return model::format_duration(v);
    case Unit::bytes: return axis_label(v, unit);
    case Unit::bytes_per_s: return axis_label(v, unit);
  }
  return plain(v);
}

std::string format_ratio(double ratio) { return "×" + plain(ratio); }

}  // namespace wf::report
