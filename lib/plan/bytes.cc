#include "plan/bytes.h"

#include <array>
#include <cctype>

#include <fmt/format.h>

#include "util/strings.h"

namespace wf::plan {
namespace {

struct Unit {
  std::string_view name;
  double bytes;
};

constexpr std::array<Unit, 9> kUnits{{{"B", 1.0},
                                      {"KiB", 1024.0},
                                      {"MiB", 1024.0 * 1024.0},
                                      {"GiB", kGiB},
                                      {"TiB", kGiB * 1024.0},
                                      {"KB", 1e3},
                                      {"MB", 1e6},
                                      {"GB", 1e9},
                                      {"TB", 1e12}}};

}  // namespace

std::optional<double> parse_bytes(std::string_view text) {
  std::string_view t = util::trim(text);
  size_t split = 0;
  while (split < t.size() && (std::isdigit(static_cast<unsigned char>(t[split])) || t[split] == '.' ||
                              t[split] == 'e' || t[split] == '+'))
    ++split;
  auto number = util::parse_double(t.substr(0, split));
  std::string_view unit = util::trim(t.substr(split));
  if (!number || *number < 0) return std::nullopt;
  for (const Unit& u : kUnits)
    if (unit == u.name) return *number * u.bytes;
  return std::nullopt;
}

std::string format_gib(double bytes) { return fmt::format("{:g} GiB", bytes / kGiB); }

}  // namespace wf::plan
