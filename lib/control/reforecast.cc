#include "control/reforecast.h"

#include <algorithm>
#include <cmath>

namespace wf::control {
namespace {

// Running tasks rank above everything (the policy orders by expected remaining path first), so
// the simulation starts them at 0, as they already hold their capacity in the run.
constexpr double kRunningRank_s = 1e9;

std::vector<predict::SimTask> sim_tasks(const std::vector<schedule::TaskInfo>& info, const Evidence& evidence,
                                        const Policy& policy) {
  std::vector<predict::SimTask> tasks(info.size());
  for (uint32_t t = 0; t < info.size(); ++t) {
    predict::SimTask& s = tasks[t];
    const TaskNow& n = evidence.task(t);
    const predict::Estimate& e = evidence.estimate(t);
    s.priority = info[t].priority;
    if (n.state == TaskState::done || n.state == TaskState::gone) {
      s.reserved = {0, 0};
      continue;
    }
    Ratio r = evidence.ratio_for(t, policy.category_evidence);
    double runtime = e.runtime_s.p50 * r.runtime;
    s.reserved = info[t].demand;
    s.used_cpus = e.cpus.p50;
    s.used_mem_bytes = std::max(e.mem_bytes.p50 * r.mem, n.peak_rss_bytes);
    if (n.state == TaskState::running) {
      s.runtime_s = std::max(runtime - n.elapsed_s, 0.1 * runtime);
      s.expected_s = kRunningRank_s;
    } else {
      s.runtime_s = runtime;
      s.expected_s = info[t].expected_s;  // what the executor ranks by
    }
  }
  return tasks;
}

Outlook run_sim(const model::Dag& dag, const std::vector<predict::SimTask>& tasks, const Policy& policy,
                const schedule::Capacity& capacity) {
  predict::SimCapacity cap;
  cap.cpus = capacity.cpus;
  cap.background = policy.background;
  if (capacity.mem_bytes > 0) cap.mem_bytes = capacity.mem_bytes;
  predict::SimResult run = predict::simulate(dag, tasks, cap);
  predict::DemandPoint peak = predict::peaks(predict::demand_profile(tasks, run));
  return {run.makespan_s, peak.reserved_cpus, peak.reserved_mem_bytes, peak.used_mem_bytes};
}

// The largest demand of a task not yet done: no capacity below it can run that task.
schedule::Capacity least(const std::vector<schedule::TaskInfo>& info, const Evidence& evidence) {
  schedule::Capacity lo{0.01, 1};
  for (uint32_t t = 0; t < info.size(); ++t) {
    TaskState s = evidence.task(t).state;
    if (s == TaskState::done || s == TaskState::gone) continue;
    lo.cpus = std::max(lo.cpus, info[t].demand.cpus);
    lo.mem_bytes = std::max(lo.mem_bytes, info[t].demand.mem_bytes);
  }
  return lo;
}

}  // namespace

Outlook remaining(const model::Dag& dag, const std::vector<schedule::TaskInfo>& info, const Evidence& evidence, const Policy& policy,
                  const schedule::Capacity& capacity) {
  return run_sim(dag, sim_tasks(info, evidence, policy), policy, capacity);
}

double planned_makespan(const model::Dag& dag, const std::vector<schedule::TaskInfo>& info, const Evidence& evidence,
                        const Policy& policy, const schedule::Capacity& capacity) {
  std::vector<predict::SimTask> tasks(info.size());
  for (uint32_t t = 0; t < info.size(); ++t) {
    const predict::Estimate& e = evidence.estimate(t);
    tasks[t].runtime_s = e.runtime_s.p50;
    tasks[t].reserved = info[t].demand;
    tasks[t].expected_s = info[t].expected_s;
    tasks[t].priority = info[t].priority;
    tasks[t].used_cpus = e.cpus.p50;
    tasks[t].used_mem_bytes = e.mem_bytes.p50;
  }
  return run_sim(dag, tasks, policy, capacity).remaining_s;
}

Target target(const model::Dag& dag, const std::vector<schedule::TaskInfo>& info, const Evidence& evidence, const Policy& policy,
              const schedule::Capacity& held, double plan_remaining_s) {
  auto tasks = sim_tasks(info, evidence, policy);
  schedule::Capacity lo = least(info, evidence);
  double hi_cpus = std::max({policy.max.cpus, held.cpus, lo.cpus});
  double hi_mem = std::max({policy.max.mem_bytes, held.mem_bytes, lo.mem_bytes});
  // Memory is sized after the cpus: while searching, it never constrains.
  auto at = [&](double cpus) { return run_sim(dag, tasks, policy, {cpus, hi_mem}); };
  Target out;
  out.remaining_now_s = run_sim(dag, tasks, policy, held).remaining_s;
  out.remaining_best_s = at(hi_cpus).remaining_s;
  // Behind the plan by more than the dead band: catch up with it; else keep the pace of now.
  bool behind = out.remaining_now_s > plan_remaining_s * (1 + policy.threshold);
  double pace = std::max(out.remaining_best_s, behind ? plan_remaining_s : out.remaining_now_s);
  // Slack: a grow aims at the goal itself; a shrink may cost a little (a simulated schedule is
  // only so exact, and a capacity that holds the pace to the hundredth of a second is not needed).
  out.goal_s = pace * (1 + policy.makespan_slack) + (behind ? 0 : policy.slack_floor_s) + 1e-6;
  std::vector<double> grid{held.cpus, hi_cpus};
  size_t n = std::max<size_t>(policy.grid, 2);
  for (size_t k = 0; k < n; ++k) grid.push_back(lo.cpus + (hi_cpus - lo.cpus) * static_cast<double>(k) / static_cast<double>(n - 1));
  for (double& c : grid) c = std::clamp(std::ceil(c * 100 - 1e-9) / 100, lo.cpus, hi_cpus);
  std::sort(grid.begin(), grid.end());
  grid.erase(std::unique(grid.begin(), grid.end()), grid.end());
  // The least grid point that meets the goal, by bisection: the remaining time falls as cpus grow
  // (a list schedule can break that by a little; the slack absorbs it), so a check costs about
  // log2(grid) + 3 simulations rather than one per grid point.
  size_t lo_i = 0, hi_i = grid.size() - 1;  // grid[hi_i] is the ceiling: the answer when none meets it
  while (lo_i < hi_i) {
    size_t mid = (lo_i + hi_i) / 2;
    if (at(grid[mid]).remaining_s <= out.goal_s) hi_i = mid;
    else lo_i = mid + 1;
  }
  out.capacity.cpus = grid[hi_i];
  out.at_target = at(out.capacity.cpus);
  out.remaining_target_s = out.at_target.remaining_s;
  double mem = std::max(out.at_target.peak_reserved_mem_bytes, out.at_target.peak_used_mem_bytes * (1 + policy.mem_margin));
  out.capacity.mem_bytes = std::clamp(std::ceil(mem), lo.mem_bytes, hi_mem);
  return out;
}

}  // namespace wf::control
