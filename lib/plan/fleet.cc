#include "plan/fleet.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>

namespace wf::plan {
namespace {

struct Running {
  size_t candidate;
  double start_s;
  bool prepaid = false;  // holding it through the current stretch adds no billed time
  size_t id = 0;         // identity across stretches, to know which instances were released
};

Need uncovered(const std::vector<Candidate>& cands, const std::vector<Running>& fleet, Need n) {
  for (const Running& r : fleet) {
    const Candidate& c = cands[r.candidate];
    n.cpus -= c.vcpu;
    n.mem_gib -= c.mem_gib;
    n.gpus -= c.gpus;
    if (c.fits) n.whole_task = false;
  }
  n.cpus = std::max(0.0, n.cpus);
  n.mem_gib = std::max(0.0, n.mem_gib);
  n.gpus = std::max(0.0, n.gpus);
  return n;
}

bool covered(const Need& n) { return n.empty() && !n.whole_task; }

// What the stretch costs beyond capacity already paid for, per hour.
double marginal_rate(const std::vector<Candidate>& cands, const std::vector<Running>& fleet) {
  double r = 0;
  for (const Running& x : fleet)
    if (!x.prepaid) r += cands[x.candidate].rate_usd_per_hour;
  return r;
}

// Candidate indices, least cost-effective first: rate over the resources' worth at the cheapest
// per-resource rates (a type bought for memory is worth little when memory is not short).
std::vector<size_t> release_order(const std::vector<Candidate>& cands) {
  double per_cpu = std::numeric_limits<double>::infinity(), per_gib = per_cpu, per_gpu = per_cpu;
  for (const Candidate& c : cands) {
    per_cpu = std::min(per_cpu, c.rate_usd_per_hour / c.vcpu);
    per_gib = std::min(per_gib, c.rate_usd_per_hour / c.mem_gib);
    if (c.gpus > 0) per_gpu = std::min(per_gpu, c.rate_usd_per_hour / c.gpus);
  }
  if (!std::isfinite(per_gpu)) per_gpu = 0;
  std::vector<double> waste(cands.size());
  for (size_t j = 0; j < cands.size(); ++j)
    waste[j] = cands[j].rate_usd_per_hour / (cands[j].vcpu * per_cpu + cands[j].mem_gib * per_gib + cands[j].gpus * per_gpu);
  std::vector<size_t> order(cands.size());
  std::iota(order.begin(), order.end(), size_t{0});
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) { return waste[a] > waste[b]; });
  return order;
}

// The cheapest mix for what the prepaid instances leave, taken from running instances of the same
// candidate first (oldest first) and started fresh beyond them.
std::optional<std::vector<Running>> fresh_fleet(Coverer& coverer, const std::vector<Running>& running, const Need& need,
                                                double now_s) {
  std::vector<Running> out, others;
  for (const Running& r : running) (r.prepaid ? out : others).push_back(r);
  auto mix = coverer.integer(uncovered(coverer.candidates(), out, need));
  if (!mix) return std::nullopt;
  std::vector<int> want = mix->counts;
  for (const Running& r : others)
    if (want[r.candidate] > 0) {
      --want[r.candidate];
      out.push_back(r);
    }
  for (size_t j = 0; j < want.size(); ++j)
    for (int k = 0; k < want[j]; ++k) out.push_back({j, now_s, false, 0});
  return out;
}

// Every running instance, topped up with the cheapest mix for what they lack, then stripped of the
// instances the need does not require (least cost-effective first, newest first).
std::optional<std::vector<Running>> sticky_fleet(Coverer& coverer, const std::vector<size_t>& order,
                                                 std::vector<Running> fleet, const Need& need, double now_s) {
  const auto& cands = coverer.candidates();
  Need more = uncovered(cands, fleet, need);
  if (!covered(more)) {
    auto mix = coverer.integer(more);
    if (!mix) return std::nullopt;
    for (size_t j = 0; j < cands.size(); ++j)
      for (int k = 0; k < mix->counts[j]; ++k) fleet.push_back({j, now_s, false, 0});
  }
  for (size_t j : order)
    for (size_t i = fleet.size(); i-- > 0;) {
      if (fleet[i].candidate != j || fleet[i].prepaid) continue;
      Running dropped = fleet[i];
      fleet.erase(fleet.begin() + static_cast<std::ptrdiff_t>(i));
      if (covered(uncovered(cands, fleet, need))) continue;
      fleet.insert(fleet.begin() + static_cast<std::ptrdiff_t>(i), dropped);
      break;
    }
  return fleet;
}

}  // namespace

std::optional<std::vector<std::vector<Window>>> fleet_windows(Coverer& coverer, const std::vector<Segment>& segments,
                                                             const std::vector<Need>& needs, const Billing& billing) {
  const auto& cands = coverer.candidates();
  const auto order = release_order(cands);
  std::vector<std::vector<Window>> out(cands.size());
  std::vector<Running> fleet;
  size_t next_id = 1;
  auto release = [&](const Running& r, double at_s) { out[r.candidate].push_back({r.start_s, at_s}); };
  for (size_t s = 0; s < segments.size(); ++s) {
    const Segment& seg = segments[s];
    for (Running& r : fleet)
      r.prepaid = billing.billed_s(seg.t_end_s - r.start_s) <= billing.billed_s(seg.t_start_s - r.start_s) + 1e-9;
    auto fresh = fresh_fleet(coverer, fleet, needs[s], seg.t_start_s);
    if (!fresh) return std::nullopt;
    auto sticky = sticky_fleet(coverer, order, fleet, needs[s], seg.t_start_s);
    std::vector<Running> next = sticky && marginal_rate(cands, *sticky) <= marginal_rate(cands, *fresh) + 1e-9
                                    ? std::move(*sticky)
                                    : std::move(*fresh);
    std::vector<size_t> kept;
    for (Running& r : next) {
      if (r.id == 0) r.id = next_id++;
      kept.push_back(r.id);
    }
    std::sort(kept.begin(), kept.end());
    for (const Running& r : fleet)
      if (!std::binary_search(kept.begin(), kept.end(), r.id)) release(r, seg.t_start_s);
    fleet = std::move(next);
  }
  for (const Running& r : fleet) release(r, segments.empty() ? 0 : segments.back().t_end_s);
  for (auto& w : out) std::sort(w.begin(), w.end());
  return out;
}

}  // namespace wf::plan
