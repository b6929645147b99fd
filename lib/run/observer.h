#pragma once
// What watches a run from inside the executor's loop: in-run feedback (re-forecast and resize) and
// anomaly alerts subscribe here. Every call comes from the executor's thread, between two waits,
// so an observer must be quick: anything slow (a webhook, a provider call) goes to its own thread.
//
// Times are seconds since the run started (the executor's monotonic clock). An observer must not
// throw for anything but a fatal error of its own: an exception ends the run like any other error.
#include <cstdint>
#include <optional>
#include <span>
#include <string>

#include "run/journal.h"
#include "run/procfs.h"
#include "schedule/policy.h"

namespace wf::run {

// One running attempt as of a sample.
struct LiveSample {
  uint32_t task = 0;  // index into the workflow's tasks
  int attempt = 1;
  double elapsed_s = 0;        // since the attempt started
  schedule::Demand reserved;   // what it holds
  TaskUsage usage;             // this sample: RSS now, CPU time and I/O so far
  uint64_t peak_rss_bytes = 0; // the highest RSS seen so far
  // The host's runnable threads per CPU, mean over the samples the attempt has run through,
  // tempered by the CPU pressure over its life so far; none when the runner cannot tell
  // (history/execution.h, host_runnable).
  std::optional<double> oversubscription;
};

// What the loop holds right now, offered with every sample.
struct RunState {
  double now_s = 0;
  schedule::Capacity capacity;  // what the policy schedules into
  schedule::Demand held;        // what running attempts reserve
  size_t running = 0, ready = 0, done = 0, failed = 0, total = 0;
};

class Observer {
 public:
  virtual ~Observer() = default;
  virtual void started(uint32_t /*task*/, int /*attempt*/, const schedule::Demand& /*reserved*/, double /*now_s*/) {}
  // After every sample of the running attempts.
  virtual void sampled(const RunState& /*state*/, std::span<const LiveSample> /*live*/) {}
  // An attempt ended (any status); `will_retry` when another attempt follows.
  virtual void finished(uint32_t /*task*/, int /*attempt*/, const AttemptResult& /*result*/, bool /*will_retry*/, double /*now_s*/) {}
  // Asked after every sample: a new capacity for the rest of the run, or nullopt to keep it. The
  // executor schedules into the new capacity from then on; attempts already running keep what
  // they hold (a shrink takes effect as they end).
  virtual std::optional<schedule::Capacity> capacity(const RunState& /*state*/) { return std::nullopt; }
  // The run ended (returned or about to throw): flush, join threads.
  virtual void ended(const std::string& /*status*/, double /*now_s*/) {}
};

}  // namespace wf::run
