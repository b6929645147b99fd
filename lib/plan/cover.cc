#include "plan/cover.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <tuple>

#include "plan/simplex.h"

namespace wf::plan {
namespace {

constexpr double kTiny = 1e-9;

auto order_key(const Candidate& c) {
  return std::make_tuple(c.rate_usd_per_hour, std::string_view(c.offer->instance_type), std::string_view(c.offer->region),
                         c.offer->option);
}

bool at_least(const Candidate& a, const Candidate& b) {
  return a.vcpu >= b.vcpu && a.mem_gib >= b.mem_gib && a.gpus >= b.gpus && (a.fits || !b.fits);
}

bool satisfied(const Need& n) { return n.cpus <= kTiny && n.mem_gib <= kTiny && n.gpus <= kTiny && !n.whole_task; }

Need take(Need n, const Candidate& c, double count) {
  n.cpus -= c.vcpu * count;
  n.mem_gib -= c.mem_gib * count;
  n.gpus -= c.gpus * count;
  if (c.fits && count >= 1) n.whole_task = false;
  return n;
}

// Instances of `c` alone needed for `n`; 0 when c alone can never cover it.
int single_count(const Candidate& c, const Need& n) {
  if (n.whole_task && !c.fits) return 0;
  double count = 1;
  auto need = [&](double want, double has) {
    if (want <= kTiny) return true;
    if (has <= 0) return false;
    count = std::max(count, std::ceil(want / has - kTiny));
    return true;
  };
  if (!need(n.cpus, c.vcpu) || !need(n.mem_gib, c.mem_gib) || !need(n.gpus, c.gpus)) return 0;
  return static_cast<int>(count);
}

// Cheaper, or as cheap (within `tie`, relative) with fewer instances: linear price lists tie often
// (c7g.large x 4 = c7g.2xlarge; GCP n2d-standard-2 x 8 is 0.01% below n2d-standard-16), and fewer
// machines are less to start, watch and release.
bool better(double rate, int instances, const IntegerCover& than, double tie) {
  if (!std::isfinite(than.usd_per_hour)) return true;
  double tol = std::max(1e-9, tie) * std::max(1e-9, than.usd_per_hour);
  if (rate < than.usd_per_hour - tol) return true;
  if (rate > than.usd_per_hour + tol) return false;
  return instances < than.instances() || (instances == than.instances() && rate < than.usd_per_hour);
}

int total(const std::vector<int>& counts) {
  int n = 0;
  for (int c : counts) n += c;
  return n;
}

}  // namespace

std::vector<Candidate> prune_dominated(std::vector<Candidate> cands) {
  std::sort(cands.begin(), cands.end(), [](const Candidate& a, const Candidate& b) { return order_key(a) < order_key(b); });
  std::vector<Candidate> out;
  for (size_t i = 0; i < cands.size(); ++i) {
    bool dominated = false;
    for (size_t j = 0; j < cands.size() && !dominated; ++j) {
      if (j == i || cands[j].rate_usd_per_hour > cands[i].rate_usd_per_hour || !at_least(cands[j], cands[i])) continue;
      // An exact twin (same resources and rate) is dropped only in favour of the earlier one.
      dominated = j < i || !at_least(cands[i], cands[j]) || cands[j].rate_usd_per_hour < cands[i].rate_usd_per_hour;
    }
    if (!dominated) out.push_back(cands[i]);
  }
  return out;
}

int IntegerCover::instances() const { return total(counts); }

std::optional<FractionalCover> Coverer::fractional(const Need& need) {
  auto cached = fractional_cache_.find(need);
  if (cached != fractional_cache_.end()) return cached->second;
  const size_t n = candidates_.size();
  LinearProgram lp;
  for (const auto& c : candidates_) lp.cost.push_back(c.rate_usd_per_hour);
  auto row = [&](double want, auto field) {
    if (want <= kTiny) return;
    Constraint con{std::vector<double>(n), Sense::ge, want};
    for (size_t j = 0; j < n; ++j) con.coefficients[j] = field(candidates_[j]);
    lp.constraints.push_back(std::move(con));
  };
  row(need.cpus, [](const Candidate& c) { return c.vcpu; });
  row(need.mem_gib, [](const Candidate& c) { return c.mem_gib; });
  row(need.gpus, [](const Candidate& c) { return c.gpus; });
  row(need.whole_task ? 1.0 : 0.0, [](const Candidate& c) { return c.fits ? 1.0 : 0.0; });
  std::optional<FractionalCover> result;
  if (lp.constraints.empty()) {
    result = FractionalCover{0, std::vector<double>(n, 0.0)};
  } else if (n > 0) {
    LpSolution s = minimize(lp);
    if (s.status == LpStatus::optimal) result = FractionalCover{s.objective, s.x};
  }
  fractional_cache_.emplace(need, result);
  return result;
}

void Coverer::search_residual(const Need& residual, size_t from, int depth, std::vector<int>& counts, double rate,
                              IntegerCover& best) const {
  if (satisfied(residual)) {
    if (better(rate, total(counts), best, tie_)) best = IntegerCover{rate, counts};
    return;
  }
  if (depth == 0) return;
  for (size_t i = from; i < candidates_.size(); ++i) {
    const Candidate& c = candidates_[i];
    // Sorted by rate: no later candidate is cheaper (ties may still save instances, so allow equality).
    if (std::isfinite(best.usd_per_hour) &&
        rate + c.rate_usd_per_hour > best.usd_per_hour * (1 + std::max(1e-9, tie_)) + 1e-12)
      break;
    ++counts[i];
    search_residual(take(residual, c, 1), i, depth - 1, counts, rate + c.rate_usd_per_hour, best);
    --counts[i];
  }
}

std::optional<IntegerCover> Coverer::integer(const Need& need) {
  auto cached = integer_cache_.find(need);
  if (cached != integer_cache_.end()) return cached->second;
  const size_t n = candidates_.size();
  std::optional<IntegerCover> result;
  if (need.empty() && !need.whole_task) {
    result = IntegerCover{0, std::vector<int>(n, 0)};
  } else if (auto frac = fractional(need)) {
    IntegerCover best{std::numeric_limits<double>::infinity(), {}};
    std::vector<int> base(n, 0), up(n, 0);
    Need residual = need;
    double base_rate = 0, up_rate = 0;
    for (size_t j = 0; j < n; ++j) {
      base[j] = static_cast<int>(std::floor(frac->counts[j] + 1e-7));
      up[j] = static_cast<int>(std::ceil(frac->counts[j] - 1e-7));
      residual = take(residual, candidates_[j], base[j]);
      base_rate += base[j] * candidates_[j].rate_usd_per_hour;
      up_rate += up[j] * candidates_[j].rate_usd_per_hour;
    }
    search_residual(residual, 0, 3, base, base_rate, best);
    Need left = need;
    for (size_t j = 0; j < n; ++j) left = take(left, candidates_[j], up[j]);
    if (satisfied(left) && better(up_rate, total(up), best, tie_)) best = IntegerCover{up_rate, up};
    for (size_t j = 0; j < n; ++j) {
      int k = single_count(candidates_[j], need);
      double rate = k * candidates_[j].rate_usd_per_hour;
      if (k > 0 && better(rate, k, best, tie_)) {
        best = IntegerCover{rate, std::vector<int>(n, 0)};
        best.counts[j] = k;
      }
    }
    if (std::isfinite(best.usd_per_hour)) result = best;
  }
  integer_cache_.emplace(need, result);
  return result;
}

}  // namespace wf::plan
