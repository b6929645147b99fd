#include "model/units.h"

#include <cctype>
#include <cmath>

#include <fmt/format.h>

#include "util/strings.h"

namespace wf::model {
namespace {

// Splits "1.5GiB" into 1.5 and "gib" (lower-cased); false when there is no leading number.
bool split_number(std::string_view text, double& value, std::string& unit) {
  text = util::trim(text);
  size_t i = 0;
  while (i < text.size() && (std::isdigit(static_cast<unsigned char>(text[i])) || text[i] == '.' ||
                             ((text[i] == 'e' || text[i] == 'E') && i > 0 && i + 1 < text.size() &&
                              (std::isdigit(static_cast<unsigned char>(text[i + 1])) || text[i + 1] == '-' || text[i + 1] == '+')) ||
                             ((text[i] == '-' || text[i] == '+') && (i == 0 || text[i - 1] == 'e' || text[i - 1] == 'E'))))
    ++i;
  auto number = util::parse_double(text.substr(0, i));
  if (!number) return false;
  value = *number;
  unit = util::to_lower(util::trim(text.substr(i)));
  return true;
}

std::optional<double> byte_multiplier(std::string_view unit) {
  static constexpr struct {
    const char* name;
    double factor;
  } table[] = {
      {"", 1},        {"b", 1},
      {"k", 1e3},     {"kb", 1e3},     {"ki", 1024.0},        {"kib", 1024.0},
      {"m", 1e6},     {"mb", 1e6},     {"mi", 1048576.0},     {"mib", 1048576.0},
      {"g", 1e9},     {"gb", 1e9},     {"gi", 1073741824.0},  {"gib", 1073741824.0},
      {"t", 1e12},    {"tb", 1e12},    {"ti", 1099511627776.0}, {"tib", 1099511627776.0},
      {"p", 1e15},    {"pb", 1e15},    {"pi", 1125899906842624.0}, {"pib", 1125899906842624.0},
  };
  for (const auto& row : table)
    if (unit == row.name) return row.factor;
  return std::nullopt;
}

}  // namespace

std::optional<uint64_t> parse_bytes(std::string_view text, std::string* why) {
  double value = 0;
  std::string unit;
  if (!split_number(text, value, unit)) {
    *why = fmt::format("'{}' is not a size (expected e.g. 512MiB, 2GiB, 1.5GB)", text);
    return std::nullopt;
  }
  auto factor = byte_multiplier(unit);
  if (!factor) {
    *why = fmt::format("'{}' has an unknown size unit '{}' (expected B, KiB, MiB, GiB, TiB, KB, MB, GB, TB)", text, unit);
    return std::nullopt;
  }
  double bytes = value * *factor;
  if (bytes < 0 || bytes > 9.2e18) {
    *why = fmt::format("'{}' is out of range", text);
    return std::nullopt;
  }
  return static_cast<uint64_t>(std::llround(bytes));
}

std::optional<double> parse_cpus(std::string_view text, std::string* why) {
  double value = 0;
  std::string unit;
  if (split_number(text, value, unit) && value >= 0) {
    if (unit.empty()) return value;
    if (unit == "m") return value / 1000.0;
  }
  *why = fmt::format("'{}' is not a CPU count (expected e.g. 2, 0.5, 500m)", text);
  return std::nullopt;
}

std::optional<double> parse_duration(std::string_view text, std::string* why) {
  std::string_view rest = util::trim(text);
  if (auto plain = util::parse_double(rest); plain && *plain >= 0) return *plain;
  double total = 0;
  bool any = false;
  while (!rest.empty()) {
    size_t i = 0;
    while (i < rest.size() && (std::isdigit(static_cast<unsigned char>(rest[i])) || rest[i] == '.')) ++i;
    size_t j = i;
    while (j < rest.size() && std::isalpha(static_cast<unsigned char>(rest[j]))) ++j;
    auto number = util::parse_double(rest.substr(0, i));
    std::string unit = util::to_lower(rest.substr(i, j - i));
    double factor = unit == "ms" ? 1e-3 : unit == "s" ? 1 : unit == "m" || unit == "min" ? 60 : unit == "h" ? 3600 : unit == "d" ? 86400 : -1;
    if (!number || factor < 0) {
      *why = fmt::format("'{}' is not a duration (expected e.g. 90s, 5m, 1h30m, 250ms)", text);
      return std::nullopt;
    }
    total += *number * factor;
    any = true;
    rest = util::trim(rest.substr(j));
  }
  if (!any) {
    *why = fmt::format("'{}' is not a duration (expected e.g. 90s, 5m, 1h30m, 250ms)", text);
    return std::nullopt;
  }
  return total;
}

std::optional<double> parse_rate(std::string_view text, std::string* why) {
  double value = 0;
  std::string unit;
  if (split_number(text, value, unit) && value >= 0) {
    if (unit.empty()) return value;
    // Bits: "gbps", "gbit/s", "gb/s" with a lower-case b in the original means bits.
    std::string_view original = util::trim(text);
    bool bits = false;
    std::string prefix = unit;
    auto strip = [&prefix](size_t n) { prefix.resize(prefix.size() - n); };
    if (unit.ends_with("bps")) {
      bits = true;
      strip(3);
    } else if (unit.ends_with("bit/s")) {
      bits = true;
      strip(5);
    } else if (unit.ends_with("/s")) {
      strip(2);
      // "Mb/s" (lower-case b) is megabits; "MB/s" megabytes.
      if (original.size() >= 3 && original[original.size() - 3] == 'b') {
        bits = true;
        strip(1);
      }
    } else {
      prefix = "?";
    }
    if (auto factor = byte_multiplier(prefix)) return value * *factor / (bits ? 8.0 : 1.0);
  }
  *why = fmt::format("'{}' is not a rate (expected e.g. 100MB/s, 1Gbps)", text);
  return std::nullopt;
}

std::string format_bytes(double bytes) {
  static const char* units[] = {"B", "KiB", "MiB", "GiB", "TiB", "PiB"};
  int u = 0;
  while (std::fabs(bytes) >= 1024 && u < 5) {
    bytes /= 1024;
    ++u;
  }
  if (u == 0) return fmt::format("{}B", static_cast<long long>(std::llround(bytes)));
  return fmt::format("{:.3g}{}", bytes, units[u]);
}

std::string format_duration(double seconds) {
  if (seconds < 60) return fmt::format("{:.3g}s", seconds);
  long long s = std::llround(seconds);
  if (s < 3600) return fmt::format("{}m{:02}s", s / 60, s % 60);
  if (s < 86400) return fmt::format("{}h{:02}m", s / 3600, (s % 3600) / 60);
  return fmt::format("{}d{:02}h", s / 86400, (s % 86400) / 3600);
}

}  // namespace wf::model
