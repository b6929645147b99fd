#pragma once
// How an instance is bought. The order of the enumerators is the tie-break order between offers of
// the same price: on-demand first, because it carries no interruption risk and no commitment.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace wf::plan {

enum class PurchaseOption { on_demand, spot, reserved };

// "on-demand", "spot", "reserved" — the spelling used in catalogs, demands and plans.
std::string_view to_string(PurchaseOption option);
// Accepts the spellings above plus "ondemand" and "on_demand"; nullopt for anything else.
std::optional<PurchaseOption> parse_option(std::string_view text);

inline const std::vector<PurchaseOption>& all_options() {
  static const std::vector<PurchaseOption> all{PurchaseOption::on_demand, PurchaseOption::spot,
                                               PurchaseOption::reserved};
  return all;
}

}  // namespace wf::plan
