#include "predict/simulate.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <queue>

#include "predict/contention.h"

namespace wf::predict {
namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

// Unlimited capacity, no contention: every task starts when its last parent ends.
SimResult sweep(const model::Dag& dag, const std::vector<SimTask>& tasks) {
  SimResult r;
  r.start.assign(dag.size(), 0);
  r.end.assign(dag.size(), 0);
  for (uint32_t t : dag.topo_order()) {
    double s = tasks[t].release_s;
    for (uint32_t p : dag.parents(t)) s = std::max(s, r.end[p]);
    r.start[t] = s;
    r.end[t] = s + tasks[t].runtime_s;
    r.makespan_s = std::max(r.makespan_s, r.end[t]);
  }
  return r;
}

// Events in time order: each running task has remaining full-speed work and a current rate.
class EventSim {
 public:
  EventSim(const model::Dag& dag, const std::vector<SimTask>& tasks, const SimCapacity& cap)
      : tasks_(tasks), cap_(cap), policy_(dag, infos(tasks), capacity(cap)) {
    r_.start.assign(dag.size(), 0);
    r_.end.assign(dag.size(), 0);
    remaining_.assign(dag.size(), 0);
    for (uint32_t t = 0; t < dag.size(); ++t)
      if (tasks[t].release_s > 0) policy_.release_at(t, tasks[t].release_s);
  }

  SimResult run() {
    double now = 0;
    for (;;) {
      for (uint32_t t : policy_.pick(now)) {
        r_.start[t] = now;
        remaining_[t] = tasks_[t].runtime_s;
        running_.push_back(t);
        running_used_ += tasks_[t].used_cpus;
      }
      if (running_.empty()) {
        auto next = policy_.next_release();
        if (!next) break;
        now = std::max(now, *next);
        continue;
      }
      double factor = contention_factor();
      double share = cpu_share_now();
      // The next event: a task finishing at the current rates, or a delayed release.
      double dt = kInf;
      for (uint32_t t : running_) dt = std::min(dt, remaining_[t] / rate(t, factor, share));
      if (auto next = policy_.next_release(); next && *next - now < dt) dt = std::max(0.0, *next - now);
      for (uint32_t t : running_) {
        double rt = rate(t, factor, share);
        remaining_[t] -= dt * rt;
        r_.slowdown_s += dt * (1 - rt);
      }
      now += dt;
      // Finish every task whose work is done, in index order (deterministic).
      std::vector<uint32_t> done;
      for (uint32_t t : running_)
        if (remaining_[t] <= 1e-9 * std::max(1.0, tasks_[t].runtime_s)) done.push_back(t);
      std::sort(done.begin(), done.end());
      for (uint32_t t : done) {
        r_.end[t] = now;
        r_.makespan_s = std::max(r_.makespan_s, now);
        policy_.finish(t, true, now);
        running_.erase(std::find(running_.begin(), running_.end(), t));
        running_used_ -= tasks_[t].used_cpus;
      }
    }
    return r_;
  }

 private:
  static std::vector<schedule::TaskInfo> infos(const std::vector<SimTask>& tasks) {
    std::vector<schedule::TaskInfo> out;
    out.reserve(tasks.size());
    for (const auto& t : tasks) out.push_back({t.reserved, t.expected_s, t.priority});
    return out;
  }
  static schedule::Capacity capacity(const SimCapacity& c) {
    return {c.cpus.value_or(kInf), c.mem_bytes.value_or(kInf)};
  }
  // The share of its I/O rate each I/O-doing task gets: 1 without contention.
  double contention_factor() const {
    if (!cap_.io_bytes_per_s) return 1;
    double demand = 0;
    for (uint32_t t : running_) demand += io_rate(t);
    return demand > *cap_.io_bytes_per_s ? *cap_.io_bytes_per_s / demand : 1;
  }
  double io_rate(uint32_t t) const {
    const SimTask& s = tasks_[t];
    return s.runtime_s > 0 ? s.io_bytes / s.runtime_s : 0;
  }
  // The share of a CPU each runnable thread gets: 1 without a CPU count or with a CPU for each.
  double cpu_share_now() {
    if (!cap_.cpus) return 1;
    const double host = cap_.background.host_cpus.value_or(*cap_.cpus);
    // Runnable threads at idle speed; enough CPUs for them is the rule, checked without a pass
    // over the running tasks (the sum's rounding is far below what a share could tell).
    if (cap_.background.runnable + running_used_ <= host * (1 + 1e-9)) return 1;
    used_.clear();
    threads_.clear();
    for (uint32_t t : running_) {
      used_.push_back(tasks_[t].used_cpus);
      threads_.push_back(threads(t));
    }
    return cpu_share(cap_.background.runnable, host, used_, threads_);
  }
  double threads(uint32_t t) const {
    return std::max({1.0, tasks_[t].reserved.cpus, tasks_[t].used_cpus});
  }
  double rate(uint32_t t, double factor, double share) const {
    double r = io_rate(t) > 0 ? factor : 1;
    if (share < 1) r = std::min(r, cpu_rate(share, tasks_[t].used_cpus, threads(t)));
    return r;
  }

  const std::vector<SimTask>& tasks_;
  SimCapacity cap_;
  schedule::Policy policy_;
  SimResult r_;
  std::vector<double> remaining_;
  std::vector<uint32_t> running_;
  double running_used_ = 0;             // the running tasks' drawn cpus, summed
  std::vector<double> used_, threads_;  // scratch for cpu_share_now
};

}  // namespace

SimResult simulate(const model::Dag& dag, const std::vector<SimTask>& tasks, const SimCapacity& capacity) {
  if (!capacity.cpus && !capacity.mem_bytes && !capacity.io_bytes_per_s) return sweep(dag, tasks);
  return EventSim(dag, tasks, capacity).run();
}

std::vector<DemandPoint> demand_profile(const std::vector<SimTask>& tasks, const SimResult& run) {
  struct Event {
    double t;
    int delta;
    uint32_t task;
  };
  std::vector<Event> events;
  events.reserve(tasks.size() * 2);
  for (uint32_t i = 0; i < tasks.size(); ++i) {
    if (run.end[i] <= run.start[i]) continue;
    events.push_back({run.start[i], +1, i});
    events.push_back({run.end[i], -1, i});
  }
  std::sort(events.begin(), events.end(), [](const Event& a, const Event& b) {
    if (a.t != b.t) return a.t < b.t;
    if (a.delta != b.delta) return a.delta < b.delta;
    return a.task < b.task;
  });
  std::vector<DemandPoint> out;
  DemandPoint cur;
  for (size_t i = 0; i < events.size();) {
    double t = events[i].t;
    for (; i < events.size() && events[i].t == t; ++i) {
      const SimTask& s = tasks[events[i].task];
      double d = events[i].delta;
      double elapsed = run.end[events[i].task] - run.start[events[i].task];
      cur.tasks += d;
      cur.reserved_cpus += d * s.reserved.cpus;
      cur.reserved_mem_bytes += d * s.reserved.mem_bytes;
      cur.used_cpus += d * s.used_cpus;
      cur.used_mem_bytes += d * s.used_mem_bytes;
      cur.io_bytes_per_s += d * (elapsed > 0 ? s.io_bytes / elapsed : 0);
    }
    cur.t_s = t;
    if (cur.tasks < 0.5) cur = DemandPoint{t, 0, 0, 0, 0, 0, 0};  // no float drift at idle
    if (!out.empty() && out.back().t_s == t) out.back() = cur;
    else out.push_back(cur);
  }
  return out;
}

DemandPoint peaks(const std::vector<DemandPoint>& profile) {
  DemandPoint p;
  for (const auto& d : profile) {
    p.tasks = std::max(p.tasks, d.tasks);
    p.reserved_cpus = std::max(p.reserved_cpus, d.reserved_cpus);
    p.reserved_mem_bytes = std::max(p.reserved_mem_bytes, d.reserved_mem_bytes);
    p.used_cpus = std::max(p.used_cpus, d.used_cpus);
    p.used_mem_bytes = std::max(p.used_mem_bytes, d.used_mem_bytes);
    p.io_bytes_per_s = std::max(p.io_bytes_per_s, d.io_bytes_per_s);
  }
  return p;
}

}  // namespace wf::predict
