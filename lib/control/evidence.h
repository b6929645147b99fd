#pragma once
// What a run has measured so far, against the forecast: per task its state (pending, running,
// done, gone), and the observed ratio measured / forecast p50 of runtime and memory, per category
// and overall (geometric means, so a task at 2x and one at 0.5x cancel out).
//
// A finished attempt that succeeded counts with what it took. A running attempt counts only once
// it has passed its forecast (elapsed > p50 runtime, or peak RSS > p50 memory): before that it
// says nothing about being long or short, after it is a lower bound — which is what lets a
// workflow whose tasks all run twice as long be noticed before the first of them ends.
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "model/dag.h"
#include "model/workflow.h"
#include "predict/estimate.h"
#include "run/observer.h"

namespace wf::control {

enum class TaskState : uint8_t { pending, running, done, gone };  // gone: failed, or below a failure

struct Ratio {
  double runtime = 1, mem = 1;      // measured / forecast p50; 1 without evidence
  size_t runtime_n = 0, mem_n = 0;  // observations behind each
};

struct TaskNow {
  TaskState state = TaskState::pending;
  // Times as on an idle host (predict/contention.h), like the estimates they are compared with:
  // on a host with more runnable threads than CPUs, the time spent waiting for one is taken off.
  double elapsed_s = 0;          // running: since its attempt started
  double runtime_s = 0;          // done: what it took
  double peak_rss_bytes = 0;     // the highest seen (running or done)
};

class Evidence {
 public:
  Evidence(const model::Workflow& wf, const model::Dag& dag, std::vector<predict::Estimate> estimates);

  void started(uint32_t task);
  void sampled(std::span<const run::LiveSample> live);
  void finished(uint32_t task, const run::AttemptResult& result, bool will_retry);

  // Recomputes the ratios from the tasks' states (O(tasks): call it before reading them, not per sample).
  void refresh();
  // The ratio for a task's category when the category has enough observations, else overall.
  Ratio ratio_for(uint32_t task, size_t category_evidence) const;
  Ratio overall() const { return overall_; }
  // Per category (name, ratio), by name; only categories with an observation.
  std::vector<std::pair<std::string, Ratio>> categories() const;

  size_t evidence() const;       // tasks that told something (see above)
  // Running tasks already longer than their conditioned expectation (p50 × ratio_for, +10%): their
  // ratio is a lower bound still rising, so the run may yet turn out slower than it looks.
  size_t overdue(size_t category_evidence) const;
  size_t above_p95() const;      // tasks measured above their forecast p95 (runtime or memory)
  size_t finished() const { return finished_; }  // succeeded
  size_t gone() const { return gone_; }          // failed, or below a failure
  const TaskNow& task(uint32_t t) const { return now_[t]; }
  const predict::Estimate& estimate(uint32_t t) const { return estimates_[t]; }
  size_t size() const { return now_.size(); }

 private:
  struct Sums {
    double log_runtime = 0, log_mem = 0;
    size_t runtime_n = 0, mem_n = 0;
  };
  void add(Sums& s, uint32_t t) const;
  bool runtime_told(uint32_t t) const;
  bool mem_told(uint32_t t) const;

  const model::Dag& dag_;
  std::vector<predict::Estimate> estimates_;
  std::vector<uint32_t> category_;     // per task, an index into names_
  std::vector<std::string> names_;     // category names, sorted
  std::vector<TaskNow> now_;
  std::vector<Ratio> by_category_;
  Ratio overall_;
  size_t finished_ = 0, gone_ = 0;
};

}  // namespace wf::control
