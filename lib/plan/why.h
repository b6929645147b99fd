#pragma once
// One line of why for each plan item: the purchase option (and what it saves or risks), the type
// (which resource it is cheapest for), and the window (whole run, or following the demand).
#include <string>

#include "plan/region.h"

namespace wf::plan {

struct WhyContext {
  const Catalog& catalog;
  const Demand& demand;
  const RegionSetup& setup;
  double run_start_s = 0;
  double run_end_s = 0;
};

std::string why_item(const PlanItem& item, const WhyContext& context);

}  // namespace wf::plan
