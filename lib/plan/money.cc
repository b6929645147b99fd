#include "plan/money.h"

#include <cmath>

#include <fmt/format.h>

namespace wf::plan {

std::string usd(double amount) {
  if (std::fabs(amount) >= 1000) return fmt::format("${:.0f}", amount);
  if (std::fabs(amount) >= 1) return fmt::format("${:.2f}", amount);
  if (amount == 0) return "$0";
  if (std::fabs(amount) < 1e-4) return amount > 0 ? "<$0.0001" : "-<$0.0001";
  return fmt::format("${:.3g}", amount);
}

std::string duration(double seconds) {
  if (seconds < 120) return fmt::format("{:g} s", std::round(seconds * 10) / 10);
  if (seconds < 7200) return fmt::format("{:g} min", std::round(seconds / 6) / 10);
  return fmt::format("{:g} h", std::round(seconds / 360) / 10);
}

std::string percent(double fraction) { return fmt::format("{:.0f}%", fraction * 100); }

}  // namespace wf::plan
