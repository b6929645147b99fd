#include "plan/region.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <tuple>

#include "plan/bytes.h"
#include "plan/fleet.h"
#include "plan/money.h"
#include "plan/why.h"
#include "plan/windows.h"
#include "util/error.h"

namespace wf::plan {
namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

bool holds_largest_task(const InstanceType& t, const Demand& d) {
  return t.vcpu >= d.max_task_cpus && t.mem_bytes >= d.max_task_mem_bytes && t.gpus >= d.max_task_gpus;
}

// What re-running interrupted work costs per hour: the same type on-demand in the same region, or,
// where the catalog has no such price, the spot price itself (the work is re-run on spot).
double replacement_usd_per_hour(const Catalog& catalog, const Offer& o) {
  const Offer* od = catalog.find_offer(o.instance_type, o.region, PurchaseOption::on_demand);
  return od ? od->usd_per_hour : o.usd_per_hour;
}

double spot_interruption_usd(const Catalog& catalog, const Offer& o, const Demand& d, double window_h) {
  return expected_interruption_usd(*o.interruption, window_h, o.usd_per_hour, replacement_usd_per_hour(catalog, o),
                                   lost_work_h(d, window_h));
}

}  // namespace

Need peak_need(const std::vector<Segment>& segments, const Demand& d) {
  Need peak;
  for (const Segment& s : segments) {
    Need n = need_of(s, d);
    peak.cpus = std::max(peak.cpus, n.cpus);
    peak.mem_gib = std::max(peak.mem_gib, n.mem_gib);
    peak.gpus = std::max(peak.gpus, n.gpus);
    peak.whole_task = peak.whole_task || n.whole_task;
  }
  return peak;
}

namespace {

// What is left of `n` once `count` instances of `c` hold part of it.
Need residual(Need n, const Candidate& c, int count) {
  n.cpus = std::max(0.0, n.cpus - c.vcpu * count);
  n.mem_gib = std::max(0.0, n.mem_gib - c.mem_gib * count);
  n.gpus = std::max(0.0, n.gpus - c.gpus * count);
  if (c.fits && count > 0) n.whole_task = false;
  return n;
}

}  // namespace

std::string transfer_cost(const Catalog& catalog, const Demand& d, const std::string& region, double& usd_out) {
  usd_out = 0;
  if (d.data_gb <= 0 || d.data_region.empty() || d.data_region == region) return {};
  auto price = catalog.transfer_usd_per_gb(d.data_region, region);
  if (!price) price = d.transfer_usd_per_gb;
  if (!price)
    fail(util::Exit::data, "no price for moving data from {} to {}: give transfer_usd_per_gb in the demand or a catalog",
         d.data_region, region);
  usd_out = d.data_gb * *price;
  return fmt::format("{:g} GB moved from {} at {}/GB = {}", d.data_gb, d.data_region, usd(*price), usd(usd_out));
}

namespace {

std::string why_uncoverable(const RegionSetup& s, const Need& peak, const Demand& d) {
  bool any_fits = false, any_gpu = false;
  for (const Candidate& c : s.listed) {
    any_fits = any_fits || c.fits;
    any_gpu = any_gpu || c.gpus > 0;
  }
  if (peak.whole_task && !any_fits)
    return fmt::format("no allowed type holds the largest task ({:g} cpus, {}, {:g} gpus)", d.max_task_cpus,
                       format_gib(d.max_task_mem_bytes), d.max_task_gpus);
  if (peak.gpus > 0 && !any_gpu) return "no allowed offer has GPUs";
  return "its allowed offers cannot cover the peak";
}

}  // namespace

double lost_work_h(const Demand& d, double window_h) {
  double task_h = d.task_runtime_s / 3600.0;
  return (task_h > 0 ? std::min(task_h, window_h) : window_h) / 2;
}

bool has_task_limit(const Demand& d) { return d.max_task_cpus > 0 || d.max_task_mem_bytes > 0 || d.max_task_gpus > 0; }

Need need_of(const Segment& s, const Demand& d) {
  return Need{s.cpus, s.mem_bytes / kGiB, s.gpus, has_task_limit(d) && !s.empty()};
}

std::optional<RegionSetup> setup_region(const Catalog& catalog, const Demand& d, const std::string& region,
                                        std::string& why_not) {
  RegionSetup s;
  s.region = region;
  const double run_h = (d.end_s() - d.start_s()) / 3600.0;
  const double slack_s = d.effective_deadline_s() - d.end_s();
  bool spot_ok = true;
  if (d.allows(PurchaseOption::spot) && d.task_runtime_s > slack_s + 1e-9) {
    spot_ok = false;
    s.spot_left_out = fmt::format("spot left out: re-running a {} task after an interruption would miss the deadline ({} of slack)",
                                  duration(d.task_runtime_s), duration(slack_s));
  }
  for (const Offer& o : catalog.offers) {
    if (o.region != region || !d.allows(o.option)) continue;
    if (o.option == PurchaseOption::spot && !spot_ok) continue;
    const InstanceType* t = catalog.find_type(o.instance_type);
    if (t->burstable && !d.allow_burstable) continue;
    Candidate c{&o, t, o.usd_per_hour, t->vcpu, t->mem_bytes / kGiB, t->gpus, holds_largest_task(*t, d)};
    s.listed.push_back(c);
    if (o.option == PurchaseOption::spot && run_h > 0) c.rate_usd_per_hour += spot_interruption_usd(catalog, o, d, run_h) / run_h;
    (o.option == PurchaseOption::reserved ? s.reserved : s.flexible).push_back(c);
  }
  if (s.listed.empty()) {
    why_not = "no offer with an allowed purchase option";
    if (!s.spot_left_out.empty()) why_not += " (" + s.spot_left_out + ")";
    return std::nullopt;
  }
  Need peak = peak_need(segments(d), d);
  Coverer all(s.listed);
  if (!all.fractional(peak)) {
    why_not = why_uncoverable(s, peak, d);
    return std::nullopt;
  }
  s.transfer_why = transfer_cost(catalog, d, region, s.transfer_usd);
  return s;
}

namespace {

// The reserved base (candidate index into `reserved.candidates()`, count) with the least estimated
// total: the base for the whole run plus the fractional cost of covering the rest per stretch.
std::pair<size_t, int> choose_reserved_base(Coverer& flex, Coverer& reserved, const Demand& d,
                                            const std::vector<Segment>& segs) {
  const double run_s = d.end_s() - d.start_s();
  auto estimate = [&](const Candidate* c, int count) {
    double usd = c ? count * d.billing.cost_usd(c->rate_usd_per_hour, run_s) : 0;
    for (const Segment& s : segs) {
      Need n = c ? residual(need_of(s, d), *c, count) : need_of(s, d);
      if (n.empty() && !n.whole_task) continue;
      auto cover = flex.fractional(n);
      if (!cover) return kInf;
      usd += cover->usd_per_hour * s.duration_s() / 3600.0;
    }
    return usd;
  };
  std::pair<size_t, int> best{0, 0};
  double best_usd = estimate(nullptr, 0);
  Need peak = peak_need(segs, d);
  for (size_t j = 0; j < reserved.candidates().size(); ++j) {
    const Candidate& c = reserved.candidates()[j];
    int most = static_cast<int>(std::max({1.0, std::ceil(peak.cpus / c.vcpu), std::ceil(peak.mem_gib / c.mem_gib),
                                          c.gpus > 0 ? std::ceil(peak.gpus / c.gpus) : 0.0}));
    for (int count = 1; count <= std::min(most, 256); ++count) {
      double usd = estimate(&c, count);
      if (usd < best_usd - 1e-9) {
        best_usd = usd;
        best = {j, count};
      }
    }
  }
  return best;
}

PlanItem make_item(const Catalog& catalog, const Candidate& c, const Demand& d, int count, Window w) {
  PlanItem it;
  it.instance_type = c.offer->instance_type;
  it.region = c.offer->region;
  it.option = c.offer->option;
  it.count = count;
  it.start_s = w.start_s;
  it.end_s = w.end_s;
  it.vcpu = c.type->vcpu;
  it.mem_bytes = c.type->mem_bytes;
  it.gpus = c.type->gpus;
  it.usd_per_hour = c.offer->usd_per_hour;
  it.compute_usd = count * d.billing.cost_usd(it.usd_per_hour, w.end_s - w.start_s);
  if (c.offer->option == PurchaseOption::spot) {
    const Interruption& risk = *c.offer->interruption;
    it.interruption_usd = count * spot_interruption_usd(catalog, *c.offer, d, (w.end_s - w.start_s) / 3600.0);
    it.interruption_bucket = risk.assumed ? "unknown (assumed " + risk.bucket + ")" : risk.bucket;
  }
  return it;
}

// One item per distinct window of the candidate's instances.
void add_items(const Catalog& catalog, const Candidate& c, const Demand& d, const std::vector<Window>& windows,
               std::vector<PlanItem>& out) {
  for (size_t i = 0; i < windows.size();) {
    size_t j = i;
    while (j < windows.size() && windows[j] == windows[i]) ++j;
    out.push_back(make_item(catalog, c, d, static_cast<int>(j - i), windows[i]));
    i = j;
  }
}

}  // namespace

std::optional<RegionPlan> plan_region(const Catalog& catalog, const RegionSetup& setup, const Demand& d,
                                      const std::vector<Segment>& segs, const PlanOptions& options,
                                      std::string& why_not) {
  Coverer flex(setup.flexible, options.fewer_instances_within);
  Coverer reserved(setup.reserved);
  auto [base_index, base_count] = choose_reserved_base(flex, reserved, d, segs);
  const Candidate* base = base_count > 0 ? &reserved.candidates()[base_index] : nullptr;
  const size_t n = flex.candidates().size();
  std::vector<Need> needs;
  for (const Segment& seg : segs) needs.push_back(base ? residual(need_of(seg, d), *base, base_count) : need_of(seg, d));
  auto windows = fleet_windows(flex, segs, needs, d.billing);
  if (!windows) {
    why_not = "nothing allowed covers the demand at every instant";
    return std::nullopt;
  }
  RegionPlan plan;
  for (size_t j = 0; j < n; ++j) {
    const Candidate& c = flex.candidates()[j];
    add_items(catalog, c, d, merge_windows((*windows)[j], d.billing, c.offer->usd_per_hour, options.merge_gap_s),
              plan.items);
  }
  if (base) plan.items.push_back(make_item(catalog, *base, d, base_count, {d.start_s(), d.end_s()}));
  std::sort(plan.items.begin(), plan.items.end(), [](const PlanItem& a, const PlanItem& b) {
    return std::tie(a.start_s, a.end_s, a.usd_per_hour, a.instance_type, a.option) <
           std::tie(b.start_s, b.end_s, b.usd_per_hour, b.instance_type, b.option);
  });
  WhyContext ctx{catalog, d, setup, d.start_s(), d.end_s()};
  for (PlanItem& it : plan.items) {
    it.why = why_item(it, ctx);
    plan.compute_usd += it.compute_usd;
    plan.interruption_usd += it.interruption_usd;
  }
  plan.total_usd = plan.compute_usd + plan.interruption_usd + setup.transfer_usd;
  plan.lower_bound_usd = region_lp_bound(setup, d, segs) + setup.transfer_usd;
  return plan;
}

}  // namespace wf::plan
