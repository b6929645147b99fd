// find_uncovered(): the coverage invariant, checked independently of how the plan was built.
#include <algorithm>

#include <fmt/format.h>

#include "plan/bytes.h"
#include "plan/plan.h"

namespace wf::plan {
namespace {

bool short_of(double have, double want) { return have < want * (1 - 1e-9) - 1e-9; }

}  // namespace

std::optional<std::string> find_uncovered(const Plan& plan, const Demand& demand) {
  std::vector<double> cuts;
  for (const DemandStep& s : demand.steps) {
    cuts.push_back(s.t_start_s);
    cuts.push_back(s.t_end_s);
  }
  for (const PlanItem& it : plan.items) {
    cuts.push_back(it.start_s);
    cuts.push_back(it.end_s);
  }
  std::sort(cuts.begin(), cuts.end());
  cuts.erase(std::unique(cuts.begin(), cuts.end()), cuts.end());
  const bool task_limit = demand.max_task_cpus > 0 || demand.max_task_mem_bytes > 0 || demand.max_task_gpus > 0;
  size_t step = 0;
  for (size_t i = 0; i + 1 < cuts.size(); ++i) {
    const double t = (cuts[i] + cuts[i + 1]) / 2;
    while (step < demand.steps.size() && demand.steps[step].t_end_s <= t) ++step;
    if (step == demand.steps.size()) break;
    const DemandStep& s = demand.steps[step];
    if (t < s.t_start_s) continue;  // a gap: nothing needed
    double cpus = 0, mem = 0, gpus = 0;
    bool holds_task = false;
    for (const PlanItem& it : plan.items) {
      if (it.count <= 0 || t < it.start_s || t >= it.end_s) continue;
      cpus += it.count * it.vcpu;
      mem += it.count * it.mem_bytes;
      gpus += it.count * it.gpus;
      holds_task = holds_task || (it.vcpu >= demand.max_task_cpus && it.mem_bytes >= demand.max_task_mem_bytes &&
                                  it.gpus >= demand.max_task_gpus);
    }
    bool needs_any = s.cpus > 0 || s.mem_bytes > 0 || s.gpus > 0;
    if (short_of(cpus, s.cpus) || short_of(mem, s.mem_bytes) || short_of(gpus, s.gpus))
      return fmt::format("[{:g} s, {:g} s): capacity {:g} cpus, {}, {:g} gpus is short of the demand {:g} cpus, {}, {:g} gpus",
                         cuts[i], cuts[i + 1], cpus, format_gib(mem), gpus, s.cpus, format_gib(s.mem_bytes), s.gpus);
    if (task_limit && needs_any && !holds_task)
      return fmt::format("[{:g} s, {:g} s): no instance holds the largest task", cuts[i], cuts[i + 1]);
  }
  return std::nullopt;
}

}  // namespace wf::plan
