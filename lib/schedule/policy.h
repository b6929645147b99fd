#pragma once
// The scheduler policy: which ready task starts next, given free capacity and priorities. One
// piece of code, used by the executors (real time) and by the simulator inside wf-predict
// (simulated time), so what is forecast is the schedule that will actually run.
//
// Order: the task with the longest remaining critical path first (its rank: its own expected
// duration plus the longest chain of expected durations below it), then the task's `priority`,
// then its index (the input order) — a total order, so the same inputs give the same schedule.
//
// Capacity is cpus and memory. A task holds its demand from start to finish. The head of the
// queue is never delayed by a task behind it (EASY backfilling): when the head does not fit, a
// later task may start only if it fits now and either ends (by its expected duration) before
// the head's earliest possible start, or leaves enough room for the head at that moment. Like
// Slurm's bf_max_job_test, backfilling looks at most kBackfillDepth tasks behind the head, so a
// pick costs the same on a million-task queue.
#include <cstdint>
#include <optional>
#include <set>
#include <vector>

#include "model/dag.h"

namespace wf::schedule {

struct Demand {
  double cpus = 1;
  double mem_bytes = 0;
};

// The cpus a task reserves from a forecast's p95 of its CPU use. CPU time is compressible: a p95
// at most 10% above a whole number of cores (measurement noise, a child process overlapping its
// parent for a moment) reserves that whole number, so two tasks measured at 1.06 cores share two
// cores instead of taking turns; one given a little less than it could use runs a little longer.
// Memory has no such rule: a task short of it is killed.
double cpu_reservation(double p95);

struct Capacity {
  double cpus = 0;
  double mem_bytes = 0;
};

struct TaskInfo {
  Demand demand;
  double expected_s = 0;  // expected duration (prediction, hint or recorded)
  int priority = 0;       // the task's own priority; higher first
};

// Longest remaining path per task (own expected duration included), by reverse topological order.
std::vector<double> ranks(const model::Dag& dag, const std::vector<TaskInfo>& info);

class Policy {
 public:
  static constexpr size_t kBackfillDepth = 256;

  // `info` per task index. Demands larger than the capacity are clamped to it (a task that can
  // never fit would stall the run); clamped() lists them so callers can say so.
  Policy(const model::Dag& dag, std::vector<TaskInfo> info, Capacity capacity);

  // Tasks whose parents all succeeded become ready by themselves; roots are ready from the start.
  // release_at delays a task (retry backoff, a staggered run): it is not started before then.
  void release_at(uint32_t task, double t);

  // The tasks to start at time `now`, in order; their demand is reserved. Call again after every
  // finish, capacity change or release.
  std::vector<uint32_t> pick(double now);

  // Tasks that already succeeded (a resumed run): never started, their children released.
  void assume_done(const std::vector<char>& done);
  // A running task ended. When it succeeded, its children whose parents have all succeeded
  // become ready; when it failed, nothing below it will ever be ready.
  void finish(uint32_t task, bool succeeded, double now);
  // A running task will run again (a retry): its demand is released and it waits for `at`.
  void requeue(uint32_t task, const Demand& demand, double at);

  void set_capacity(Capacity capacity);
  const Capacity& capacity() const { return capacity_; }
  const Capacity& reserved() const { return reserved_; }
  const Demand& demand(uint32_t task) const { return info_[task].demand; }
  const std::vector<uint32_t>& clamped() const { return clamped_; }

  size_t running() const { return running_.size(); }
  size_t ready() const { return queue_.size() + delayed_.size(); }
  // The earliest time a delayed task becomes startable, if any (for the caller's wait).
  std::optional<double> next_release() const;
  // Nothing running, nothing ready or delayed: the run is over (or stuck behind failures).
  bool idle() const { return running_.empty() && queue_.empty() && delayed_.empty(); }

 private:
  struct Key {
    double rank;
    int priority;
    uint32_t task;
    bool operator<(const Key& o) const {
      if (rank != o.rank) return rank > o.rank;
      if (priority != o.priority) return priority > o.priority;
      return task < o.task;
    }
  };
  struct Running {
    uint32_t task;
    double expected_end;
  };

  Key key(uint32_t t) const { return {rank_[t], info_[t].priority, t}; }
  bool fits(const Demand& d, const Capacity& free) const;
  Capacity free_now() const;
  // When (by expected ends) the head could start, and the capacity left for others then.
  double shadow_time(const Demand& head, double now, Capacity& spare_at_shadow) const;
  void start(uint32_t t, double now, std::vector<uint32_t>& out);
  bool stop(uint32_t t);  // releases a running task's reservation; false if it was not running
  void clamp(uint32_t t);

  const model::Dag& dag_;
  std::vector<TaskInfo> info_;
  std::vector<double> rank_;
  std::vector<uint32_t> waiting_parents_;
  std::set<Key> queue_;
  std::vector<std::pair<double, uint32_t>> delayed_;  // (release time, task)
  std::vector<Running> running_;
  std::vector<int64_t> running_pos_;  // index into running_, -1 when not running
  std::vector<Demand> wanted_;        // the demand as asked, before clamping to the capacity
  Capacity capacity_, reserved_;
  std::vector<uint32_t> clamped_;
  std::vector<char> clamped_flag_;
  bool any_zero_cpu_ = false;  // some task asks for no cpu (clamping to a positive capacity keeps that)
};

}  // namespace wf::schedule
