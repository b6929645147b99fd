#include "plan/demand.h"

#include <algorithm>
#include <cmath>

#include "util/error.h"
#include "util/strings.h"

namespace wf::plan {

double Billing::billed_s(double window_s) const {
  if (window_s <= 0) return 0;
  // The small slack keeps 3600.0000001 s (a sum of float steps) from billing a second hour.
  double units = std::ceil(window_s / granularity_s - 1e-9);
  return std::max(minimum_s, units * granularity_s);
}

std::string Billing::name() const {
  if (granularity_s == 1) return fmt::format("per-second ({} s minimum)", util::format_number(minimum_s));
  if (granularity_s == 3600 && minimum_s <= 3600) return "per-hour";
  return fmt::format("per-{} s ({} s minimum)", util::format_number(granularity_s), util::format_number(minimum_s));
}

bool Demand::allows(PurchaseOption option) const {
  return options.empty() || std::find(options.begin(), options.end(), option) != options.end();
}

bool Demand::allows(const std::string& region) const {
  return regions.empty() || std::find(regions.begin(), regions.end(), region) != regions.end();
}

double Demand::start_s() const { return steps.empty() ? 0 : steps.front().t_start_s; }
double Demand::end_s() const { return steps.empty() ? 0 : steps.back().t_end_s; }

namespace {

void check_value(double v, size_t i, const char* what) {
  if (!std::isfinite(v) || v < 0) fail(util::Exit::data, "demand step {}: {} must be a finite number >= 0, found {}", i + 1, what, v);
}

}  // namespace

void validate(const Demand& d) {
  for (size_t i = 0; i < d.steps.size(); ++i) {
    const DemandStep& s = d.steps[i];
    check_value(s.t_start_s, i, "t_start_s");
    check_value(s.t_end_s, i, "t_end_s");
    check_value(s.cpus, i, "cpus");
    check_value(s.mem_bytes, i, "mem_bytes");
    check_value(s.gpus, i, "gpus");
    if (s.t_end_s <= s.t_start_s)
      fail(util::Exit::data, "demand step {}: window [{}, {}) is empty", i + 1, s.t_start_s, s.t_end_s);
    if (i > 0 && s.t_start_s < d.steps[i - 1].t_end_s)
      fail(util::Exit::data, "demand step {}: starts at {} s, before step {} ends at {} s", i + 1, s.t_start_s, i,
           d.steps[i - 1].t_end_s);
  }
  auto non_negative = [](double v, const char* what) {
    if (!std::isfinite(v) || v < 0) fail(util::Exit::data, "demand: {} must be a finite number >= 0, found {}", what, v);
  };
  non_negative(d.deadline_s, "deadline_s");
  non_negative(d.max_task_cpus, "max_task_cpus");
  non_negative(d.max_task_mem_bytes, "max_task_mem_bytes");
  non_negative(d.max_task_gpus, "max_task_gpus");
  non_negative(d.task_runtime_s, "task_runtime_s");
  non_negative(d.data_gb, "data_gb");
  if (d.budget_usd) non_negative(*d.budget_usd, "budget_usd");
  if (d.transfer_usd_per_gb) non_negative(*d.transfer_usd_per_gb, "transfer_usd_per_gb");
  if (d.data_gb > 0 && d.data_region.empty())
    fail(util::Exit::data, "demand: data_gb is {:g} but data_region is not given", d.data_gb);
  if (!(d.billing.granularity_s > 0) || !(d.billing.minimum_s >= 0))
    fail(util::Exit::data, "demand: billing granularity must be > 0 s and the minimum >= 0 s");
  if (d.deadline_s > 0 && d.end_s() > d.deadline_s)
    fail(util::Exit::data, "demand runs until {} s, past the deadline {} s: the forecast makespan does not fit",
         util::format_number(d.end_s()), util::format_number(d.deadline_s));
}

std::vector<Segment> segments(const Demand& d) {
  std::vector<Segment> out;
  auto push = [&](Segment s) {
    if (!out.empty() && out.back().cpus == s.cpus && out.back().mem_bytes == s.mem_bytes && out.back().gpus == s.gpus)
      out.back().t_end_s = s.t_end_s;
    else
      out.push_back(s);
  };
  for (const DemandStep& s : d.steps) {
    if (!out.empty() && s.t_start_s > out.back().t_end_s) push({out.back().t_end_s, s.t_start_s, 0, 0, 0});
    push({s.t_start_s, s.t_end_s, s.cpus, s.mem_bytes, s.gpus});
  }
  return out;
}

}  // namespace wf::plan
