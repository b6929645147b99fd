#pragma once
// When in-run feedback decides, and how far it may go. Plain data: wf-run's flags fill it.
//
// A decision is taken only when all of these hold (hysteresis, so the capacity does not flap):
//   - at least `min_evidence` tasks have told something (finished, or still running past their
//     forecast p50), so one odd task does not move the capacity;
//   - the re-forecast's target differs from the capacity held by more than `threshold` (relative,
//     per cpus and memory: the dead band);
//   - `confirmations` consecutive checks agreed on the direction (grow or shrink);
//   - `min_interval_s` passed since the last decision, and no provider call is in flight.
#include <optional>
#include <string>

#include "predict/simulate.h"
#include "schedule/policy.h"

namespace wf::control {

enum class Mode {
  off,      // no controller
  observe,  // decide and report, change nothing
  resize,   // decide, and grow or shrink the capacity (and what the provider holds)
};
const char* to_string(Mode mode);
std::optional<Mode> parse_mode(std::string_view text);

struct Policy {
  double threshold = 0.25;     // dead band: relative difference of target and held capacity
  double check_interval_s = 1;  // between two re-forecasts
  double min_interval_s = 5;    // between two decisions
  int confirmations = 2;        // consecutive checks agreeing before a decision
  size_t min_evidence = 2;      // tasks measured before any decision
  size_t category_evidence = 2;  // a category's own ratio is used from this many observations on
  double makespan_slack = 0.05;  // the target may finish this much later than the goal (relative)
  double slack_floor_s = 0.5;    // ... plus this much when it only keeps the pace (seconds)
  double mem_margin = 0.10;      // over the re-forecast's peak memory in use
  size_t grid = 16;              // capacities tried between the least and the most
  schedule::Capacity max;        // the most a grow asks for (the provider's or machine's ceiling)
  // The host's other runnable threads and its CPUs, as the forecast assumed them
  // (prediction.capacity; predict/contention.h): every re-forecast shares the CPUs with them, so
  // a run on a loaded host is held to a plan that knew, and a grow past the host's CPUs shows
  // that it buys nothing.
  predict::HostBackground background;
};

}  // namespace wf::control
