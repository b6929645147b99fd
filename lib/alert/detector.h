#pragma once
// Decides, sample by sample and attempt by attempt, which measurements are anomalous (rules.h),
// and makes each one an Alert — at most one per task attempt and kind, so a task that stays past
// its limit is reported once, and an attempt reported while running is not reported again when it
// ends. Pure: no clock, no I/O; the observer (observer.h) feeds it and hands its alerts on.
#include <array>
#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <tuple>
#include <vector>

#include "alert/alert.h"
#include "alert/rules.h"
#include "run/journal.h"
#include "run/observer.h"

namespace wf::alert {

// What is expected of each measure of one task of the workflow; nullopt: nothing known, no alert.
struct TaskBaseline {
  std::string task, category;
  std::array<std::optional<Expected>, kMeasureCount> expected;
  const std::optional<Expected>& at(Measure m) const { return expected[static_cast<size_t>(m)]; }
};

struct RunContext {
  std::string run_id, workflow;
};

class Detector {
 public:
  // `tasks` in the workflow's task order (LiveSample::task indexes it).
  Detector(std::vector<TaskBaseline> tasks, Thresholds thresholds, RunContext context);

  // A sample of a running attempt. Runtime, CPU time and I/O only grow, so each alerts when it
  // passes its limit; memory alerts when the RSS is past its limit AND higher than at this
  // attempt's previous sample (growing, not a plateau the task may hold harmlessly).
  std::vector<Alert> sampled(const run::LiveSample& sample, double now_wall, double elapsed_s);
  // An attempt ended: every measure it recorded is judged (an interrupted attempt is not: its
  // figures are cut short).
  // Runtimes, running or finished, are judged as on an idle host where the host had more runnable
  // threads than CPUs (the sample's oversubscription, the result's host_runnable / host_cpus), as
  // history learns them: a run on a loaded host is slow, not anomalous.
  std::vector<Alert> finished(uint32_t task, int attempt, const run::AttemptResult& result, double now_wall,
                              double elapsed_s);

  const Thresholds& thresholds() const { return thresholds_; }
  const std::vector<TaskBaseline>& tasks() const { return tasks_; }

 private:
  std::optional<Alert> check(uint32_t task, int attempt, Measure m, double value, const char* phase);
  // check() of a runtime: on its idle-host equivalent when lambda > 1, saying so in the alert.
  std::optional<Alert> check_runtime(uint32_t task, int attempt, double runtime_s, double cpu_time_s,
                                     double reserved_cpus, std::optional<double> lambda, const char* phase);

  std::vector<TaskBaseline> tasks_;
  Thresholds thresholds_;
  RunContext context_;
  std::set<std::tuple<uint32_t, int, Measure>> sent_;  // dedup: one alert per attempt and kind
  std::map<std::pair<uint32_t, int>, uint64_t> last_rss_;  // per running attempt
};

}  // namespace wf::alert
