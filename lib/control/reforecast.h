#pragma once
// The remaining work re-forecast from what this run has measured, and the capacity it needs.
//
// Conditioning (time 0 of the simulation is now):
//   - tasks done (or gone) take no time and hold nothing: they only release their children;
//   - running tasks start at once and take what is left of their conditioned runtime (at least a
//     tenth of it: one already past its expectation is expected to end soon, not never);
//   - tasks not started take their forecast p50 scaled by the observed ratio (Evidence::ratio_for:
//     their category's when it has evidence, else the run's); memory in use likewise;
//   - every task reserves what the executor reserves for it, so the simulated schedule is the
//     one that will run (simulate.h: the same policy code).
// Each simulation is one deterministic run at the p50s (no Monte Carlo: a decision needs a
// number quickly, and the plan it is compared with is computed the same way).
#include <vector>

#include "control/evidence.h"
#include "control/policy.h"
#include "model/dag.h"
#include "predict/simulate.h"
#include "schedule/policy.h"

namespace wf::control {

struct Outlook {
  double remaining_s = 0;  // until the last task ends
  double peak_cpus = 0, peak_reserved_mem_bytes = 0, peak_used_mem_bytes = 0;
};

// The remaining work under `capacity` (mem_bytes 0: unlimited memory).
Outlook remaining(const model::Dag& dag, const std::vector<schedule::TaskInfo>& info, const Evidence& evidence,
                  const Policy& policy, const schedule::Capacity& capacity);

// The whole workflow as forecast, before anything ran: the plan the run is held to.
double planned_makespan(const model::Dag& dag, const std::vector<schedule::TaskInfo>& info, const Evidence& evidence,
                        const Policy& policy, const schedule::Capacity& capacity);

// The capacity the remaining work needs: the least cpus (on a grid from the largest remaining
// demand up to policy.max, found by bisection) under which it ends no later than the goal, with memory for that
// schedule's peak (reserved, or in use plus the margin, whichever is more).
// The goal: when the run is behind its plan by more than policy.threshold, the plan (as far as
// the ceiling allows: never sooner than the fastest possible); otherwise the pace it has now,
// holding only what keeps it. Plus the slack: policy.makespan_slack of it, and when keeping
// the pace also policy.slack_floor_s (a simulated schedule is only so exact).
struct Target {
  schedule::Capacity capacity;
  double remaining_now_s = 0;     // under the capacity held
  double remaining_target_s = 0;  // under the target
  double remaining_best_s = 0;    // under the ceiling
  double goal_s = 0;
  Outlook at_target;
};

Target target(const model::Dag& dag, const std::vector<schedule::TaskInfo>& info, const Evidence& evidence, const Policy& policy,
              const schedule::Capacity& held, double plan_remaining_s);

}  // namespace wf::control
