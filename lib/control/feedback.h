#pragma once
// In-run feedback: an Observer of the executor that compares what the run measures with its
// forecast, re-forecasts the remaining work (reforecast.h) every policy.check_interval_s, and —
// past the policy's dead band and hysteresis (policy.h) — decides to grow or shrink the capacity.
//
//   observe  the decision is recorded (event, summary, a note on stderr) and nothing changes;
//   resize   grow: the provider is asked (Resizer, off this thread) and the executor schedules
//            into the new capacity once it is granted; shrink: the executor schedules into less
//            at once, and the provider is asked to release when what the running attempts hold
//            fits the new size. Without a Resizer (nothing was provisioned) the executor's
//            capacity changes alone, at once.
//
// Every decision and every provider answer is an event "feedback" in the run's stream. The
// capacity held (what the provider holds, or the executor's capacity without one) is integrated
// over the run: cpu-seconds and byte-seconds, for the summary.
#include <optional>
#include <string>
#include <vector>

#include "control/evidence.h"
#include "control/policy.h"
#include "control/reforecast.h"
#include "control/resizer.h"
#include "model/dag.h"
#include "model/workflow.h"
#include "run/events.h"
#include "run/observer.h"

namespace wf::control {

struct Decision {
  double t_s = 0;             // since the run started
  std::string action;         // grow, shrink
  std::string reason;         // one line: what was measured, what the re-forecast says
  Ratio ratio;                // observed measured / forecast
  size_t evidence = 0, above_p95 = 0;
  double plan_remaining_s = 0, remaining_now_s = 0, remaining_target_s = 0;
  schedule::Capacity from, to;
  std::string outcome;        // observed, applied, requested, granted, refused
  std::optional<schedule::Capacity> granted;
  std::string error;
};

struct FeedbackSummary {
  Mode mode = Mode::observe;
  Policy policy;
  std::string resizes;              // what a Resizer resizes; empty without one
  double planned_makespan_s = 0;
  size_t checks = 0;
  std::vector<Decision> decisions;
  Ratio ratio;                      // at the end
  std::vector<std::pair<std::string, Ratio>> categories;
  size_t evidence = 0, above_p95 = 0;
  schedule::Capacity initial, final_capacity;
  double cpu_s = 0, mem_byte_s = 0;  // capacity held, integrated over the run
};

class Feedback final : public run::Observer {
 public:
  // `info` as given to the executor; `estimates` per task (the prediction's, or the hints');
  // `initial` the capacity the run starts with. `resizer` may be null (see above); `events`
  // receives the decisions (the executor's stream). All must outlive the run.
  Feedback(const model::Workflow& wf, const model::Dag& dag, std::vector<schedule::TaskInfo> info,
           std::vector<predict::Estimate> estimates, schedule::Capacity initial, Mode mode, Policy policy,
           Resizer* resizer, run::Events& events);

  void started(uint32_t task, int attempt, const schedule::Demand& reserved, double now_s) override;
  void sampled(const run::RunState& state, std::span<const run::LiveSample> live) override;
  void finished(uint32_t task, int attempt, const run::AttemptResult& result, bool will_retry, double now_s) override;
  std::optional<schedule::Capacity> capacity(const run::RunState& state) override;
  void ended(const std::string& status, double now_s) override;

  const FeedbackSummary& summary() const { return summary_; }

 private:
  void integrate(double now_s);
  void check(const run::RunState& state);
  std::optional<Decision> decide(const run::RunState& state);
  void act(Decision d, const run::RunState& state);
  void answered(const Grant& g, double now_s);
  void release_when_fits(const run::RunState& state);
  void emit(const Decision& d, const char* phase);

  const model::Dag& dag_;
  std::vector<schedule::TaskInfo> info_;
  Evidence evidence_;
  Resizer* resizer_;
  run::Events& events_;
  FeedbackSummary summary_;

  schedule::Capacity held_;                 // what the provider holds (or the executor's, without one)
  std::optional<schedule::Capacity> next_;  // for the executor, at its next capacity() call
  std::optional<schedule::Capacity> release_;  // a shrink waiting for the running attempts to fit
  bool in_flight_ = false;
  size_t in_flight_decision_ = 0;
  double last_check_s_ = -1e300, last_decision_s_ = -1e300, last_t_s_ = 0;
  std::string streak_action_;
  int streak_ = 0;
};

}  // namespace wf::control
