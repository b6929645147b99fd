// The naive baseline: the component-wise peak of the timeline, covered on-demand (whatever options
// the demand allows) and held for the whole run, in the cheapest allowed region.
#include <tuple>

#include <fmt/format.h>

#include "plan/bytes.h"
#include "plan/plan.h"
#include "plan/region.h"

namespace wf::plan {

std::optional<Baseline> naive_baseline(const Catalog& catalog, const Demand& d) {
  validate(d);
  if (d.steps.empty()) return std::nullopt;
  const std::vector<Segment> segs = segments(d);
  const Need peak = peak_need(segs, d);
  const double run_s = d.end_s() - d.start_s();
  std::optional<Baseline> best;
  for (const std::string& region : allowed_regions(catalog, d)) {
    std::vector<Candidate> cands;
    for (const Offer& o : catalog.offers) {
      if (o.region != region || o.option != PurchaseOption::on_demand) continue;
      const InstanceType* t = catalog.find_type(o.instance_type);
      if (t->burstable && !d.allow_burstable) continue;
      bool fits = t->vcpu >= d.max_task_cpus && t->mem_bytes >= d.max_task_mem_bytes && t->gpus >= d.max_task_gpus;
      cands.push_back({&o, t, o.usd_per_hour, t->vcpu, t->mem_bytes / kGiB, t->gpus, fits});
    }
    Coverer coverer(std::move(cands));
    auto cover = coverer.integer(peak);
    if (!cover) continue;
    Baseline b;
    b.region = region;
    for (size_t j = 0; j < cover->counts.size(); ++j) {
      if (cover->counts[j] == 0) continue;
      const Candidate& c = coverer.candidates()[j];
      PlanItem it;
      it.instance_type = c.offer->instance_type;
      it.region = region;
      it.count = cover->counts[j];
      it.start_s = d.start_s();
      it.end_s = d.end_s();
      it.vcpu = c.type->vcpu;
      it.mem_bytes = c.type->mem_bytes;
      it.gpus = c.type->gpus;
      it.usd_per_hour = c.offer->usd_per_hour;
      it.compute_usd = it.count * d.billing.cost_usd(it.usd_per_hour, run_s);
      it.why = fmt::format("naive baseline: the peak ({:g} cpus, {}, {:g} gpus) on-demand for the whole run", peak.cpus,
                           format_gib(peak.mem_gib * kGiB), peak.gpus);
      b.compute_usd += it.compute_usd;
      b.items.push_back(std::move(it));
    }
    transfer_cost(catalog, d, region, b.transfer_usd);
    b.total_usd = b.compute_usd + b.transfer_usd;
    if (!best || std::tie(b.total_usd, b.region) < std::tie(best->total_usd, best->region)) best = std::move(b);
  }
  return best;
}

}  // namespace wf::plan
