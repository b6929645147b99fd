#pragma once
// Covering one constant stretch of demand with instances of one region: the cheapest fractional
// mix (an LP, for the lower bound and as the start of rounding) and a cheap integer mix (for the
// plan). Each candidate has a `rate`: the price per hour the choice is made on.
#include <compare>
#include <map>
#include <optional>
#include <vector>

#include "plan/catalog.h"

namespace wf::plan {

struct Candidate {
  const Offer* offer = nullptr;
  const InstanceType* type = nullptr;
  double rate_usd_per_hour = 0;  // what the choice minimises (price, plus expected interruption cost)
  double vcpu = 0;
  double mem_gib = 0;
  double gpus = 0;
  bool fits = true;  // holds the largest single task
};

// What one stretch needs. whole_task: at least one instance must hold the largest task.
struct Need {
  double cpus = 0;
  double mem_gib = 0;
  double gpus = 0;
  bool whole_task = false;
  auto operator<=>(const Need&) const = default;
  // No resources wanted; whole_task may still ask for one instance that holds the largest task.
  bool empty() const { return cpus <= 0 && mem_gib <= 0 && gpus <= 0; }
};

// Sorts by (rate, type name, region, option) — the plan's tie-break order — and drops every
// candidate another one dominates (at least as much of every resource, fits if it fits, rate no
// higher). Dominated candidates never improve a cover, fractional or integer.
std::vector<Candidate> prune_dominated(std::vector<Candidate> candidates);

struct FractionalCover {
  double usd_per_hour = 0;
  std::vector<double> counts;  // per candidate
};

struct IntegerCover {
  double usd_per_hour = 0;
  std::vector<int> counts;  // per candidate
  int instances() const;
};

// Covers needs against one fixed candidate list, caching by need (timelines repeat levels).
class Coverer {
 public:
  // Keeps the candidates prune_dominated() leaves, in its order; counts index into candidates().
  // Integer mixes within `fewer_within` (relative, e.g. 0.001) of the cheapest count as ties, and
  // the tie goes to fewer instances.
  explicit Coverer(std::vector<Candidate> candidates, double fewer_within = 0)
      : candidates_(prune_dominated(std::move(candidates))), tie_(fewer_within) {}
  const std::vector<Candidate>& candidates() const { return candidates_; }

  // nullopt when no mix covers the need (e.g. gpus wanted, none offered).
  std::optional<FractionalCover> fractional(const Need& need);
  // The cheapest of: the LP optimum rounded down plus the best set of up to 3 more instances,
  // the LP optimum rounded up, and each single type alone. Within one instance of the LP per
  // resource, so the gap to the fractional cover shrinks as demand grows.
  std::optional<IntegerCover> integer(const Need& need);

 private:
  void search_residual(const Need& residual, size_t from, int depth, std::vector<int>& counts, double rate,
                       IntegerCover& best) const;

  std::vector<Candidate> candidates_;
  double tie_ = 0;
  std::map<Need, std::optional<FractionalCover>> fractional_cache_;
  std::map<Need, std::optional<IntegerCover>> integer_cache_;
};

}  // namespace wf::plan
