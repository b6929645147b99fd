#include "plan/windows.h"

#include <algorithm>
#include <limits>

namespace wf::plan {

std::vector<Window> merge_windows(std::vector<Window> windows, const Billing& billing, double usd_per_hour,
                                  double merge_gap_s) {
  std::sort(windows.begin(), windows.end());
  std::vector<Window> instances;
  for (const Window& w : windows) {
    double fresh = billing.cost_usd(usd_per_hour, w.end_s - w.start_s);
    size_t pick = instances.size();
    double pick_extra = std::numeric_limits<double>::infinity();
    for (size_t i = 0; i < instances.size(); ++i) {
      const Window& inst = instances[i];
      if (inst.end_s > w.start_s) continue;  // busy
      double extra = billing.cost_usd(usd_per_hour, w.end_s - inst.start_s) -
                     billing.cost_usd(usd_per_hour, inst.end_s - inst.start_s);
      bool worth = extra <= fresh + 1e-12 || w.start_s - inst.end_s <= merge_gap_s;
      if (worth && (extra < pick_extra - 1e-12 ||
                    (extra <= pick_extra + 1e-12 && pick < instances.size() && inst.end_s > instances[pick].end_s))) {
        pick = i;
        pick_extra = extra;
      }
    }
    if (pick < instances.size())
      instances[pick].end_s = w.end_s;
    else
      instances.push_back(w);
  }
  std::sort(instances.begin(), instances.end());
  return instances;
}

}  // namespace wf::plan
