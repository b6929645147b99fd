#pragma once
// The cheapest capacity that covers a demand timeline: the plan, its expected cost, a lower bound
// on the cost of any plan, the naive baseline, and one line of why for every choice.
//
// Method (details in tests/bench/plan_cost.md):
//  1. Each allowed region is planned on its own (a workflow's tasks share data, so a plan lives in
//     one region); the cheapest total, transfer included, wins; ties by region name.
//  2. Candidates: the region's offers with an allowed option. Spot is rated at its price plus the
//     expected re-run cost per hour; spot is left out when a whole task's re-run would not fit in
//     the slack before the deadline. When a largest task is given, at every instant with demand
//     one instance must hold it.
//  3. Reserved offers are a committed base held for the whole run: the base count (one reserved
//     type) is the one that minimises the estimated total (base + LP cost of the rest).
//  4. The rest is swept stretch by stretch (fleet.h): capacity already paid for is kept, what it
//     leaves gets the cheapest integer mix (LP optimum rounded, cover.h), running instances are
//     reused before new ones start. Then each offer's instance windows are joined across gaps
//     that cost no more than restarting or are shorter than merge_gap_s (windows.h). So the plan
//     follows the timeline instead of holding the peak.
//  5. Costs: windows billed by the demand's billing rule; spot adds the expected interruption cost
//     (interruption.h); a region other than the data's home adds data_gb x the transfer price.
//  6. Lower bound (bound.cc): the LP relaxation per stretch (fractional instances at list price,
//     no interruption cost) integrated over time, or the billing-minimum bound when larger — both
//     valid for every plan in that region; the bound is the least over regions of (that + transfer).
#include <optional>
#include <string>
#include <vector>

#include "plan/catalog.h"
#include "plan/demand.h"

namespace wf::plan {

struct PlanOptions {
  // Keep an instance through an idle gap this short rather than release and re-acquire it.
  double merge_gap_s = 300;
  // Integer mixes within this share of the cheapest (0.001 = 0.1%) tie, and the tie goes to fewer
  // instances: 16 x n2d-standard-16 rather than 123 x n2d-standard-2 to save 0.01%.
  double fewer_instances_within = 0.001;
};

struct PlanItem {
  std::string instance_type;
  std::string region;
  PurchaseOption option = PurchaseOption::on_demand;
  int count = 0;
  double start_s = 0;  // window [start_s, end_s)
  double end_s = 0;
  double vcpu = 0;  // per instance
  double mem_bytes = 0;
  double gpus = 0;
  double usd_per_hour = 0;      // per instance, list price
  double compute_usd = 0;       // all `count` instances, billed
  double interruption_usd = 0;  // expected re-run cost, spot only
  std::string interruption_bucket;  // spot only, e.g. "5-10%"; "unknown (assumed >20%)"
  std::string why;
};

struct RegionCost {
  std::string region;
  double total_usd = 0;
  double lower_bound_usd = 0;  // LP bound + transfer for this region
  double transfer_usd = 0;
  int instances = 0;  // windows in the plan
};

// The naive baseline: the component-wise peak of the timeline as the cheapest on-demand mix (whatever
// purchase options the demand allows), held from the first step's start to the last step's end, in
// the cheapest allowed region (transfer included).
struct Baseline {
  std::string region;
  std::vector<PlanItem> items;
  double compute_usd = 0;
  double transfer_usd = 0;
  double total_usd = 0;
};

struct Plan {
  std::string region;
  std::vector<PlanItem> items;  // sorted by (start, end, price, type, option)
  double compute_usd = 0;
  double interruption_usd = 0;
  double transfer_usd = 0;
  double total_usd = 0;  // expected: compute + interruption + transfer
  double lower_bound_usd = 0;
  double ratio_to_bound = 0;  // total / bound (1 when both are 0)
  std::optional<Baseline> naive;
  double ratio_to_naive = 0;  // total / naive total (0 without a baseline)
  std::string billing;        // Billing::name()
  std::string why;            // the region choice
  std::vector<RegionCost> regions;  // every region planned, cheapest first
  std::vector<std::string> notes;   // options left out and why, regions skipped and why
};

// Throws wf::Error, exit 65: an invalid demand (see validate), no allowed region/option with an
// offer, no type that holds the largest task, no offer with the gpus wanted, a missing transfer
// price, or a budget below the cheapest plan (the message gives the plan's cost and the bound).
Plan make_plan(const Catalog& catalog, const Demand& demand, const PlanOptions& options = {});

// nullopt when no allowed region has an on-demand offer that covers the peak.
std::optional<Baseline> naive_baseline(const Catalog& catalog, const Demand& demand);

// The lower bound on the expected cost of any plan for the demand (cheapest region). Throws like
// make_plan when no allowed region can cover the demand at all.
double lower_bound_usd(const Catalog& catalog, const Demand& demand);

// The first instant the plan fails to cover (cpus, memory, gpus, or no instance holding the
// largest task), described in one line; nullopt when every instant of the demand is covered.
std::optional<std::string> find_uncovered(const Plan& plan, const Demand& demand);

}  // namespace wf::plan
