#pragma once
// Planning inside one region: which offers may be used and at what rate, the plan that follows the
// timeline there, and the LP lower bound there. make_plan() runs this for every allowed region.
#include <optional>
#include <string>
#include <vector>

#include "plan/cover.h"
#include "plan/plan.h"

namespace wf::plan {

struct RegionSetup {
  std::string region;
  std::vector<Candidate> flexible;  // on-demand and spot, spot rated with its expected re-run cost
  std::vector<Candidate> reserved;  // committed for the whole run
  std::vector<Candidate> listed;    // every usable offer at list price: the bound's candidates
  double transfer_usd = 0;
  std::string transfer_why;         // empty when no data moves
  std::string spot_left_out;        // why spot offers were left out here, empty when they were not
};

// Work lost when an instance held `window_h` hours is interrupted: half a task (or half the window
// when the task runtime is unknown), never more than the window.
double lost_work_h(const Demand& demand, double window_h);

// What a constant stretch needs, memory in GiB.
Need need_of(const Segment& segment, const Demand& demand);
bool has_task_limit(const Demand& demand);
// The component-wise peak over the stretches.
Need peak_need(const std::vector<Segment>& segments, const Demand& demand);
// The cost of moving the demand's data into `region` (0 when none moves) and its one-line account
// (empty when none moves). Throws (exit 65) when data must move and no price is known.
std::string transfer_cost(const Catalog& catalog, const Demand& demand, const std::string& region, double& usd_out);
// The catalog's regions the demand allows. Throws (exit 65) for an allowed region no catalog
// offers, with a did-you-mean hint, so a misspelt filter is not mistaken for "no offer there".
std::vector<std::string> allowed_regions(const Catalog& catalog, const Demand& demand);

// nullopt, with `why_not` set, when the region cannot cover the demand's peak with allowed offers.
std::optional<RegionSetup> setup_region(const Catalog& catalog, const Demand& demand, const std::string& region,
                                        std::string& why_not);

struct RegionPlan {
  std::vector<PlanItem> items;
  double compute_usd = 0;
  double interruption_usd = 0;
  double total_usd = 0;  // compute + interruption + transfer
  double lower_bound_usd = 0;  // LP bound + transfer
};

// nullopt, with `why_not` set, when some stretch cannot be covered (e.g. only reserved offers are
// allowed and no single reserved type covers the peak).
std::optional<RegionPlan> plan_region(const Catalog& catalog, const RegionSetup& setup, const Demand& demand,
                                      const std::vector<Segment>& segments, const PlanOptions& options,
                                      std::string& why_not);

// A lower bound on the compute cost of any plan in the region (transfer not included; +inf when
// uncoverable): the larger of two valid bounds, see bound.cc.
double region_lp_bound(const RegionSetup& setup, const Demand& demand, const std::vector<Segment>& segments);

}  // namespace wf::plan
