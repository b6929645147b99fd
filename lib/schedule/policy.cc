#include "schedule/policy.h"

#include <algorithm>
#include <cmath>

namespace wf::schedule {

double cpu_reservation(double p95) {
  double whole = std::floor(p95);
  return whole >= 1 && p95 <= whole * 1.1 ? whole : p95;
}

namespace {
constexpr double kEps = 1e-9;
}

std::vector<double> ranks(const model::Dag& dag, const std::vector<TaskInfo>& info) {
  std::vector<double> rank(dag.size(), 0);
  const auto& order = dag.topo_order();
  for (auto it = order.rbegin(); it != order.rend(); ++it) {
    double below = 0;
    for (uint32_t c : dag.children(*it)) below = std::max(below, rank[c]);
    rank[*it] = info[*it].expected_s + below;
  }
  return rank;
}

Policy::Policy(const model::Dag& dag, std::vector<TaskInfo> info, Capacity capacity)
    : dag_(dag), info_(std::move(info)), running_pos_(dag.size(), -1), capacity_(capacity), clamped_flag_(dag.size(), 0) {
  rank_ = ranks(dag_, info_);
  wanted_.reserve(info_.size());
  for (const auto& ti : info_) wanted_.push_back(ti.demand);
  waiting_parents_.resize(dag_.size());
  for (uint32_t t = 0; t < dag_.size(); ++t) {
    clamp(t);
    any_zero_cpu_ = any_zero_cpu_ || info_[t].demand.cpus <= kEps;
    waiting_parents_[t] = static_cast<uint32_t>(dag_.parents(t).size());
    if (waiting_parents_[t] == 0) queue_.insert(key(t));
  }
}

void Policy::clamp(uint32_t t) {
  const Demand& w = wanted_[t];
  Demand& d = info_[t].demand;
  if (running_pos_[t] >= 0) return;  // a running task keeps what it was given
  bool over = w.cpus > capacity_.cpus + kEps || w.mem_bytes > capacity_.mem_bytes + kEps;
  d.cpus = std::min(w.cpus, capacity_.cpus);
  d.mem_bytes = std::min(w.mem_bytes, capacity_.mem_bytes);
  if (over && !clamped_flag_[t]) {
    clamped_flag_[t] = 1;
    clamped_.push_back(t);
  }
}

void Policy::release_at(uint32_t task, double t) {
  queue_.erase(key(task));
  delayed_.emplace_back(t, task);
}

bool Policy::fits(const Demand& d, const Capacity& free) const {
  return d.cpus <= free.cpus + kEps && d.mem_bytes <= free.mem_bytes + kEps;
}

Capacity Policy::free_now() const {
  return {capacity_.cpus - reserved_.cpus, capacity_.mem_bytes - reserved_.mem_bytes};
}

double Policy::shadow_time(const Demand& head, double now, Capacity& spare) const {
  std::vector<Running> by_end = running_;
  std::sort(by_end.begin(), by_end.end(), [](const Running& a, const Running& b) {
    return a.expected_end != b.expected_end ? a.expected_end < b.expected_end : a.task < b.task;
  });
  Capacity free = free_now();
  double when = now;
  for (const auto& r : by_end) {
    if (fits(head, free)) break;
    free.cpus += info_[r.task].demand.cpus;
    free.mem_bytes += info_[r.task].demand.mem_bytes;
    when = std::max(now, r.expected_end);
  }
  spare = {free.cpus - head.cpus, free.mem_bytes - head.mem_bytes};
  return when;
}

void Policy::start(uint32_t t, double now, std::vector<uint32_t>& out) {
  const Demand& d = info_[t].demand;
  reserved_.cpus += d.cpus;
  reserved_.mem_bytes += d.mem_bytes;
  running_pos_[t] = static_cast<int64_t>(running_.size());
  running_.push_back({t, now + info_[t].expected_s});
  out.push_back(t);
}

bool Policy::stop(uint32_t t) {
  int64_t pos = running_pos_[t];
  if (pos < 0) return false;
  running_[static_cast<size_t>(pos)] = running_.back();
  running_pos_[running_[static_cast<size_t>(pos)].task] = pos;
  running_.pop_back();
  running_pos_[t] = -1;
  reserved_.cpus -= info_[t].demand.cpus;
  reserved_.mem_bytes -= info_[t].demand.mem_bytes;
  if (running_.empty()) reserved_ = {};  // no float drift when idle
  return true;
}

std::vector<uint32_t> Policy::pick(double now) {
  // Releases whose time has come join the queue.
  for (size_t i = 0; i < delayed_.size();) {
    if (delayed_[i].first <= now + kEps) {
      queue_.insert(key(delayed_[i].second));
      delayed_[i] = delayed_.back();
      delayed_.pop_back();
    } else {
      ++i;
    }
  }
  std::vector<uint32_t> out;
  while (!queue_.empty()) {
    auto head = queue_.begin();
    if (fits(info_[head->task].demand, free_now())) {
      uint32_t t = head->task;
      queue_.erase(head);
      start(t, now, out);
      continue;
    }
    // The head waits; backfill behind it without delaying it. With no cpu free only a task that
    // asks for none could start: when there is none, the look behind the head is saved (it ran
    // after nearly every start of a busy run).
    if (free_now().cpus <= kEps && !any_zero_cpu_) break;
    Capacity spare;
    double shadow = shadow_time(info_[head->task].demand, now, spare);
    std::vector<uint32_t> backfilled;
    size_t looked = 0;
    for (auto it = std::next(queue_.begin()); it != queue_.end() && looked < kBackfillDepth; ++it, ++looked) {
      const TaskInfo& ti = info_[it->task];
      if (!fits(ti.demand, free_now())) continue;
      bool ends_in_time = now + ti.expected_s <= shadow + kEps;
      bool leaves_room = fits(ti.demand, spare);
      if (!ends_in_time && !leaves_room) continue;
      if (!ends_in_time) {
        spare.cpus -= ti.demand.cpus;
        spare.mem_bytes -= ti.demand.mem_bytes;
      }
      backfilled.push_back(it->task);
      start(it->task, now, out);
    }
    for (uint32_t t : backfilled) queue_.erase(key(t));
    break;
  }
  return out;
}

void Policy::finish(uint32_t task, bool succeeded, double) {
  if (!stop(task) || !succeeded) return;
  for (uint32_t c : dag_.children(task))
    if (--waiting_parents_[c] == 0) queue_.insert(key(c));
}

void Policy::assume_done(const std::vector<char>& done) {
  for (uint32_t t : dag_.topo_order()) {
    if (t >= done.size() || !done[t]) continue;
    queue_.erase(key(t));
    for (uint32_t c : dag_.children(t))
      if (--waiting_parents_[c] == 0 && !(c < done.size() && done[c])) queue_.insert(key(c));
  }
}

void Policy::requeue(uint32_t task, const Demand& demand, double at) {
  stop(task);
  wanted_[task] = demand;
  clamp(task);
  any_zero_cpu_ = any_zero_cpu_ || info_[task].demand.cpus <= kEps;
  delayed_.emplace_back(at, task);
}

void Policy::set_capacity(Capacity capacity) {
  capacity_ = capacity;
  for (uint32_t t = 0; t < info_.size(); ++t) clamp(t);
}

std::optional<double> Policy::next_release() const {
  std::optional<double> next;
  for (const auto& [t, task] : delayed_)
    if (!next || t < *next) next = t;
  return next;
}

}  // namespace wf::schedule
