#include "history/units.h"

#include <cctype>
#include <cmath>
#include <ctime>
#include <string>
#include <vector>

#include "util/strings.h"

namespace wf::history::units {
namespace {

struct Unit {
  std::string_view name;
  double factor;
};

// Splits "3.5 s" / "250ms" / "1.2GB" into the number and the unit after it (spaces between
// allowed); nullopt when no number leads.
std::optional<std::pair<double, std::string_view>> number_and_unit(std::string_view s) {
  size_t i = 0;
  while (i < s.size() && (std::isdigit(static_cast<unsigned char>(s[i])) || s[i] == '.')) ++i;
  auto value = util::parse_double(s.substr(0, i));
  if (!value) return std::nullopt;
  return std::pair{*value, util::trim(s.substr(i))};
}

std::optional<double> scaled(std::string_view s, std::initializer_list<Unit> table) {
  auto nu = number_and_unit(s);
  if (!nu) return std::nullopt;
  for (const Unit& u : table)
    if (nu->second == u.name) return nu->first * u.factor;
  return std::nullopt;
}

std::optional<std::int64_t> to_bytes(std::optional<double> v) {
  if (!v || *v < 0 || *v > 9.2e18) return std::nullopt;
  return static_cast<std::int64_t>(std::llround(*v));
}

// "YYYY-MM-DD?HH:MM:SS[.fff]" with `sep` between date and time, read as local time.
std::optional<double> local_time_s(std::string_view s, char sep) {
  if (s.size() < 19 || s[4] != '-' || s[7] != '-' || s[10] != sep || s[13] != ':' || s[16] != ':')
    return std::nullopt;
  auto num = [&](size_t pos, size_t len) { return util::parse_int(s.substr(pos, len)); };
  auto year = num(0, 4), month = num(5, 2), day = num(8, 2), hour = num(11, 2), minute = num(14, 2);
  auto second = util::parse_double(s.substr(17));
  if (!year || !month || !day || !hour || !minute || !second) return std::nullopt;
  std::tm tm{};
  tm.tm_year = static_cast<int>(*year) - 1900;
  tm.tm_mon = static_cast<int>(*month) - 1;
  tm.tm_mday = static_cast<int>(*day);
  tm.tm_hour = static_cast<int>(*hour);
  tm.tm_min = static_cast<int>(*minute);
  tm.tm_sec = 0;
  tm.tm_isdst = -1;  // let the time zone rules decide
  std::time_t t = std::mktime(&tm);
  if (t == static_cast<std::time_t>(-1)) return std::nullopt;
  return static_cast<double>(t) + *second;
}

}  // namespace

std::optional<double> nextflow_duration_s(std::string_view s) {
  s = util::trim(s);
  if (auto ms = util::parse_double(s)) return *ms >= 0 ? std::optional(*ms / 1000) : std::nullopt;
  if (s.empty()) return std::nullopt;
  // Whitespace-separated terms; a term may itself hold a space between number and unit ("3.5 s").
  double total = 0;
  while (!s.empty()) {
    size_t i = 0;
    while (i < s.size() && (std::isdigit(static_cast<unsigned char>(s[i])) || s[i] == '.')) ++i;
    while (i < s.size() && s[i] == ' ') ++i;
    while (i < s.size() && std::isalpha(static_cast<unsigned char>(s[i]))) ++i;
    auto term = scaled(s.substr(0, i), {{"ms", 0.001}, {"s", 1}, {"m", 60}, {"h", 3600}, {"d", 86400}});
    if (!term || i == 0) return std::nullopt;
    total += *term;
    s = util::trim(s.substr(i));
  }
  return total;
}

std::optional<std::int64_t> nextflow_bytes(std::string_view s) {
  s = util::trim(s);
  if (auto plain = util::parse_double(s)) return to_bytes(plain);
  constexpr double k = 1024;
  return to_bytes(scaled(s, {{"B", 1}, {"KB", k}, {"MB", k * k}, {"GB", k * k * k},
                             {"TB", k * k * k * k}, {"PB", k * k * k * k * k}}));
}

std::optional<double> percent(std::string_view s) {
  s = util::trim(s);
  if (!s.empty() && s.back() == '%') s.remove_suffix(1);
  return util::parse_double(util::trim(s));
}

std::optional<double> nextflow_time_s(std::string_view s) {
  s = util::trim(s);
  if (auto ms = util::parse_int(s)) return static_cast<double>(*ms) / 1000;
  return local_time_s(s, ' ');
}

std::optional<double> slurm_duration_s(std::string_view s) {
  s = util::trim(s);
  double days = 0;
  if (auto dash = s.find('-'); dash != std::string_view::npos) {
    auto d = util::parse_int(s.substr(0, dash));
    if (!d || *d < 0) return std::nullopt;
    days = static_cast<double>(*d);
    s = s.substr(dash + 1);
  }
  std::vector<std::string> parts = util::split(s, ':');
  if (parts.empty() || parts.size() > 3) return std::nullopt;
  double total = 0;
  for (size_t i = 0; i < parts.size(); ++i) {
    bool last = i + 1 == parts.size();
    auto v = last ? util::parse_double(parts[i]) : std::optional<double>(util::parse_int(parts[i]));
    if (!v || *v < 0) return std::nullopt;
    total = total * 60 + *v;
  }
  return days * 86400 + total;
}

std::optional<std::int64_t> slurm_bytes(std::string_view s, std::int64_t bare_unit_bytes) {
  s = util::trim(s);
  if (auto plain = util::parse_double(s)) return to_bytes(*plain * static_cast<double>(bare_unit_bytes));
  constexpr double k = 1024;
  return to_bytes(scaled(s, {{"K", k}, {"M", k * k}, {"G", k * k * k}, {"T", k * k * k * k},
                             {"P", k * k * k * k * k}}));
}

std::optional<double> slurm_time_s(std::string_view s) { return local_time_s(util::trim(s), 'T'); }

}  // namespace wf::history::units
