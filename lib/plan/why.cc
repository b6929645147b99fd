#include "plan/why.h"

#include <limits>

#include <fmt/format.h>

#include "plan/bytes.h"
#include "plan/money.h"

namespace wf::plan {
namespace {

std::string option_phrase(const PlanItem& item, const WhyContext& ctx) {
  const Offer* od = ctx.catalog.find_offer(item.instance_type, item.region, PurchaseOption::on_demand);
  const Offer* spot = ctx.catalog.find_offer(item.instance_type, item.region, PurchaseOption::spot);
  switch (item.option) {
    case PurchaseOption::spot: {
      std::string vs = od ? fmt::format("{} cheaper than on-demand ({}/h vs {}/h)",
                                        percent(1 - item.usd_per_hour / od->usd_per_hour), usd(item.usd_per_hour),
                                        usd(od->usd_per_hour))
                          : fmt::format("{}/h, no on-demand price here", usd(item.usd_per_hour));
      return fmt::format("spot: {}, interruption {}/month; expected re-run cost {} included", vs,
                         item.interruption_bucket, usd(item.interruption_usd));
    }
    case PurchaseOption::reserved:
      return fmt::format("reserved: {}/h committed for the whole run{}", usd(item.usd_per_hour),
                         od ? fmt::format(", {} below on-demand", percent(1 - item.usd_per_hour / od->usd_per_hour)) : "");
    case PurchaseOption::on_demand:
      break;
  }
  if (!ctx.demand.allows(PurchaseOption::spot)) return "on-demand: spot not allowed";
  if (!ctx.setup.spot_left_out.empty()) return "on-demand: " + ctx.setup.spot_left_out;
  if (!spot) return "on-demand: no spot price for this type here";
  return fmt::format("on-demand: its spot price ({}/h, interruption {}/month) plus expected re-runs is no cheaper",
                     usd(spot->usd_per_hour), spot->interruption ? spot->interruption->bucket : "unknown");
}

// Which resource this type is the cheapest source of, among the region's usable offers.
std::string role_phrase(const PlanItem& item, const WhyContext& ctx) {
  const Candidate* mine = nullptr;
  double best_cpu = std::numeric_limits<double>::infinity(), best_mem = best_cpu, best_gpu = best_cpu, best_fit = best_cpu;
  size_t n = 0;
  for (const auto* list : {&ctx.setup.flexible, &ctx.setup.reserved})
    for (const Candidate& c : *list) {
      ++n;
      if (c.offer->instance_type == item.instance_type && c.offer->option == item.option) mine = &c;
      best_cpu = std::min(best_cpu, c.rate_usd_per_hour / c.vcpu);
      best_mem = std::min(best_mem, c.rate_usd_per_hour / c.mem_gib);
      if (c.gpus > 0) best_gpu = std::min(best_gpu, c.rate_usd_per_hour / c.gpus);
      if (c.fits) best_fit = std::min(best_fit, c.rate_usd_per_hour);
    }
  if (!mine) return "chosen";
  const double eps = 1e-12;
  if (mine->gpus > 0 && mine->rate_usd_per_hour / mine->gpus <= best_gpu + eps) return fmt::format("lowest $/GPU of {} offers", n);
  if (mine->rate_usd_per_hour / mine->vcpu <= best_cpu + eps) return fmt::format("lowest $/vCPU of {} offers", n);
  if (mine->rate_usd_per_hour / mine->mem_gib <= best_mem + eps) return fmt::format("lowest $/GiB of {} offers", n);
  if (has_task_limit(ctx.demand) && mine->rate_usd_per_hour <= best_fit + eps)
    return "cheapest type that holds the largest task";
  return "completes the cheapest mix";
}

}  // namespace

std::string why_item(const PlanItem& item, const WhyContext& ctx) {
  std::string type = fmt::format("{} ({:g} vCPU, {}{}): {}", item.instance_type, item.vcpu, format_gib(item.mem_bytes),
                                 item.gpus > 0 ? fmt::format(", {:g} GPU", item.gpus) : "", role_phrase(item, ctx));
  std::string window = item.start_s <= ctx.run_start_s && item.end_s >= ctx.run_end_s
                           ? std::string("held for the whole run")
                           : fmt::format("held [{:g} s, {:g} s) ({}) to follow the demand", item.start_s, item.end_s,
                                         duration(item.end_s - item.start_s));
  return fmt::format("{}; {}; {}", option_phrase(item, ctx), type, window);
}

}  // namespace wf::plan
