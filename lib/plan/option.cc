#include "plan/option.h"

#include "util/strings.h"

namespace wf::plan {

std::string_view to_string(PurchaseOption option) {
  switch (option) {
    case PurchaseOption::on_demand: return "on-demand";
    case PurchaseOption::spot: return "spot";
    case PurchaseOption::reserved: return "reserved";
  }
  return "unknown";
}

std::optional<PurchaseOption> parse_option(std::string_view text) {
  std::string t = util::to_lower(util::trim(text));
  if (t == "on-demand" || t == "ondemand" || t == "on_demand") return PurchaseOption::on_demand;
  if (t == "spot") return PurchaseOption::spot;
  if (t == "reserved") return PurchaseOption::reserved;
  return std::nullopt;
}

}  // namespace wf::plan
