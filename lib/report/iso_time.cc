#include "report/iso_time.h"

#include <cctype>
#include <cstdint>

namespace wf::report {
namespace {

// Days from 1970-01-01 to y-m-d in the proleptic Gregorian calendar (H. Hinnant's algorithm).
int64_t days_from_civil(int64_t y, int64_t m, int64_t d) {
  y -= m <= 2;
  int64_t era = (y >= 0 ? y : y - 399) / 400;
  int64_t yoe = y - era * 400;
  int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

// Reads `n` digits at text[pos] into *out.
bool digits(std::string_view text, size_t pos, size_t n, int64_t* out) {
  if (pos + n > text.size()) return false;
  int64_t v = 0;
  for (size_t i = pos; i < pos + n; ++i) {
    if (!std::isdigit(static_cast<unsigned char>(text[i]))) return false;
    v = v * 10 + (text[i] - '0');
  }
  *out = v;
  return true;
}

}  // namespace

std::optional<double> parse_iso8601(std::string_view s) {
  int64_t y, mo, d, h, mi, se;
  if (!digits(s, 0, 4, &y) || s.size() < 19 || s[4] != '-' || !digits(s, 5, 2, &mo) || s[7] != '-' || !digits(s, 8, 2, &d) ||
      (s[10] != 'T' && s[10] != ' ') || !digits(s, 11, 2, &h) || s[13] != ':' || !digits(s, 14, 2, &mi) || s[16] != ':' ||
      !digits(s, 17, 2, &se))
    return std::nullopt;
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || se > 60) return std::nullopt;
  double t = static_cast<double>(days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + se);
  size_t pos = 19;
  if (pos < s.size() && s[pos] == '.') {
    double scale = 0.1;
    for (++pos; pos < s.size() && std::isdigit(static_cast<unsigned char>(s[pos])); ++pos, scale /= 10) t += (s[pos] - '0') * scale;
  }
  if (pos == s.size()) return t;  // no zone: taken as UTC, as wf writes it
  if (s[pos] == 'Z' && pos + 1 == s.size()) return t;
  int64_t zh, zm;
  if ((s[pos] == '+' || s[pos] == '-') && pos + 6 == s.size() && digits(s, pos + 1, 2, &zh) && s[pos + 3] == ':' &&
      digits(s, pos + 4, 2, &zm))
    return t - (s[pos] == '+' ? 1 : -1) * static_cast<double>(zh * 3600 + zm * 60);
  return std::nullopt;
}

}  // namespace wf::report
