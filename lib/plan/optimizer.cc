// make_plan(): every allowed region planned, the cheapest kept; see plan.h for the method.
#include <algorithm>
#include <limits>
#include <tuple>

#include "plan/money.h"
#include "plan/plan.h"
#include "plan/region.h"
#include "util/error.h"
#include "util/strings.h"

namespace wf::plan {

std::vector<std::string> allowed_regions(const Catalog& catalog, const Demand& d) {
  std::vector<std::string> all = catalog.regions();
  for (const std::string& r : d.regions) {
    if (std::binary_search(all.begin(), all.end(), r)) continue;
    auto hint = util::closest(r, all);
    fail(util::Exit::data, "demand allows region '{}', which no catalog offers{}", r,
         hint ? fmt::format(" (did you mean '{}'?)", *hint) : "");
  }
  std::vector<std::string> out;
  for (const std::string& r : all)
    if (d.allows(r)) out.push_back(r);
  return out;
}

namespace {

struct Planned {
  RegionSetup setup;
  RegionPlan plan;
};

std::string join(const std::vector<std::string>& parts, std::string_view sep) {
  std::string out;
  for (const auto& p : parts) out += (out.empty() ? "" : std::string(sep)) + p;
  return out;
}

std::string region_why(const std::vector<Planned>& planned, const Demand& d) {
  const Planned& best = planned.front();
  std::string why = fmt::format("{}: cheapest of {} region{} planned", best.setup.region, planned.size(),
                                planned.size() == 1 ? "" : "s");
  if (planned.size() > 1)
    why += fmt::format(" (next: {} at {})", planned[1].setup.region, usd(planned[1].plan.total_usd));
  if (!best.setup.transfer_why.empty())
    why += "; data: " + best.setup.transfer_why;
  else if (d.data_gb > 0)
    why += fmt::format("; data: {:g} GB already in {}", d.data_gb, best.setup.region);
  return why;
}

void check_budget(const Plan& p, const Demand& d) {
  if (!d.budget_usd || p.total_usd <= *d.budget_usd + 1e-9) return;
  if (p.lower_bound_usd > *d.budget_usd)
    fail(util::Exit::data, "budget {} is below the lower bound {} for this demand: no plan fits (cheapest plan found: {} in {})",
         usd(*d.budget_usd), usd(p.lower_bound_usd), usd(p.total_usd), p.region);
  fail(util::Exit::data,
       "the cheapest plan found costs {} in {}, over the budget {} (lower bound {}): raise the budget, or allow more "
       "purchase options or regions",
       usd(p.total_usd), p.region, usd(*d.budget_usd), usd(p.lower_bound_usd));
}

}  // namespace

Plan make_plan(const Catalog& catalog, const Demand& d, const PlanOptions& options) {
  validate(d);
  Plan p;
  p.billing = d.billing.name();
  if (d.steps.empty()) {
    p.ratio_to_bound = 1;
    p.why = "no demand: nothing to provision";
    return p;
  }
  const std::vector<Segment> segs = segments(d);
  std::vector<Planned> planned;
  for (const std::string& region : allowed_regions(catalog, d)) {
    std::string why_not;
    auto setup = setup_region(catalog, d, region, why_not);
    std::optional<RegionPlan> rp;
    if (setup) rp = plan_region(catalog, *setup, d, segs, options, why_not);
    if (!rp) {
      p.notes.push_back(fmt::format("region {} skipped: {}", region, why_not));
      continue;
    }
    planned.push_back({std::move(*setup), std::move(*rp)});
  }
  if (planned.empty())
    fail(util::Exit::data, "no allowed region can cover the demand: {}",
         p.notes.empty() ? std::string("the catalogs offer no region") : join(p.notes, "; "));
  std::stable_sort(planned.begin(), planned.end(), [](const Planned& a, const Planned& b) {
    return std::tie(a.plan.total_usd, a.setup.region) < std::tie(b.plan.total_usd, b.setup.region);
  });
  const Planned& best = planned.front();
  p.region = best.setup.region;
  p.items = best.plan.items;
  p.compute_usd = best.plan.compute_usd;
  p.interruption_usd = best.plan.interruption_usd;
  p.transfer_usd = best.setup.transfer_usd;
  p.total_usd = best.plan.total_usd;
  p.lower_bound_usd = std::numeric_limits<double>::infinity();
  for (const Planned& x : planned) {
    int windows = 0;
    for (const PlanItem& it : x.plan.items) windows += it.count;
    p.regions.push_back({x.setup.region, x.plan.total_usd, x.plan.lower_bound_usd, x.setup.transfer_usd, windows});
    p.lower_bound_usd = std::min(p.lower_bound_usd, x.plan.lower_bound_usd);
  }
  p.ratio_to_bound = p.lower_bound_usd > 0 ? p.total_usd / p.lower_bound_usd : 1;
  if (!best.setup.spot_left_out.empty()) p.notes.push_back(best.setup.spot_left_out);
  p.why = region_why(planned, d);
  p.naive = naive_baseline(catalog, d);
  if (p.naive && p.naive->total_usd > 0) p.ratio_to_naive = p.total_usd / p.naive->total_usd;
  check_budget(p, d);
  return p;
}

double lower_bound_usd(const Catalog& catalog, const Demand& d) {
  validate(d);
  if (d.steps.empty()) return 0;
  const std::vector<Segment> segs = segments(d);
  double best = std::numeric_limits<double>::infinity();
  std::vector<std::string> skipped;
  for (const std::string& region : allowed_regions(catalog, d)) {
    std::string why_not;
    auto setup = setup_region(catalog, d, region, why_not);
    if (!setup) {
      skipped.push_back(fmt::format("region {} skipped: {}", region, why_not));
      continue;
    }
    best = std::min(best, region_lp_bound(*setup, d, segs) + setup->transfer_usd);
  }
  if (best == std::numeric_limits<double>::infinity())
    fail(util::Exit::data, "no allowed region can cover the demand: {}",
         skipped.empty() ? std::string("the catalogs offer no region") : join(skipped, "; "));
  return best;
}

}  // namespace wf::plan
