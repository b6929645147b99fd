// The lower bound on the compute cost of any plan in one region. Two bounds, both valid for every
// plan that covers the demand with the region's allowed offers; the larger is reported.
//
// 1. The LP relaxation over time. At each instant the instances alive cost at least the cheapest
//    fractional mix covering the need there (list prices, no interruption cost). A window of w
//    seconds is billed at least w, so integrating that rate over the timeline bounds the cost.
//
// 2. Billing minimums. Pick instants t_1 < t_2 < ... more than m (the minimum billed seconds) apart.
//    An instance alive at j of them has a window longer than (j-1) m; with m a multiple of the
//    granularity g it is billed at least max(m, (j-1) m + g) >= j (m + g) / 2 seconds. So
//    sum_k LP_rate(t_k) x (m + g) / 2 bounds the cost. The instants are chosen among stretch starts
//    by a DP (weighted points on a line, spacing > m). Per-hour billing: (m + g)/2 = 1 h per instant,
//    which is what makes a short wide peak cost a full hour. When m is not a multiple of g, only m/2
//    per instant is credited (billed >= max(m, w), so j instants >= j m / 2).
#include <algorithm>
#include <cmath>
#include <limits>

#include "plan/region.h"

namespace wf::plan {
namespace {

double integral_bound(Coverer& listed, const Demand& d, const std::vector<Segment>& segs, std::vector<double>& rates) {
  double usd = 0;
  rates.assign(segs.size(), 0.0);
  for (size_t i = 0; i < segs.size(); ++i) {
    if (segs[i].empty()) continue;
    auto cover = listed.fractional(need_of(segs[i], d));
    if (!cover) return std::numeric_limits<double>::infinity();
    rates[i] = cover->usd_per_hour;
    usd += rates[i] * segs[i].duration_s() / 3600.0;
  }
  return usd;
}

double minimum_bound(const Billing& billing, const std::vector<Segment>& segs, const std::vector<double>& rates) {
  const double m = billing.minimum_s, g = billing.granularity_s;
  if (m <= 0) return 0;
  const double ratio = m / g;
  const double credit_s = std::fabs(ratio - std::round(ratio)) < 1e-9 ? (m + g) / 2 : m / 2;
  // best[i]: the most credit from instants at the starts of segments i.. (spacing > m).
  std::vector<double> best(segs.size() + 1, 0.0);
  for (size_t i = segs.size(); i-- > 0;) {
    double after = segs[i].t_start_s + m;
    auto next = std::upper_bound(segs.begin() + static_cast<std::ptrdiff_t>(i), segs.end(), after,
                                 [](double t, const Segment& s) { return t < s.t_start_s; });
    double take = rates[i] * credit_s / 3600.0 + best[static_cast<size_t>(next - segs.begin())];
    best[i] = std::max(best[i + 1], take);
  }
  return best[0];
}

}  // namespace

double region_lp_bound(const RegionSetup& setup, const Demand& d, const std::vector<Segment>& segs) {
  Coverer listed(setup.listed);
  std::vector<double> rates;
  double integral = integral_bound(listed, d, segs, rates);
  if (!std::isfinite(integral)) return integral;
  return std::max(integral, minimum_bound(d.billing, segs, rates));
}

}  // namespace wf::plan
