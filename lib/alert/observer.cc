#include "alert/observer.h"

#include <algorithm>
#include <thread>

namespace wf::alert {

AlertObserver::AlertObserver(Detector detector, std::vector<std::unique_ptr<Sink>> sinks, util::Clock& clock,
                             double flush_timeout_s)
    : detector_(std::move(detector)), sinks_(std::move(sinks)), clock_(clock), flush_timeout_s_(flush_timeout_s) {}

void AlertObserver::dispatch(const std::vector<Alert>& alerts) {
  for (const Alert& a : alerts) {
    ++alerts_;
    for (auto& s : sinks_) s->send(a);
  }
}

void AlertObserver::sampled(const run::RunState& state, std::span<const run::LiveSample> live) {
  double wall = clock_.wall();
  for (const auto& s : live) dispatch(detector_.sampled(s, wall, state.now_s));
}

void AlertObserver::finished(uint32_t task, int attempt, const run::AttemptResult& result, bool, double now_s) {
  dispatch(detector_.finished(task, attempt, result, clock_.wall(), now_s));
}

// The sinks flush side by side, so the run waits at most flush_timeout_s for all of them.
void AlertObserver::ended(const std::string&, double) {
  if (ended_) return;
  ended_ = true;
  std::vector<std::thread> flushing;
  for (auto& s : sinks_) flushing.emplace_back([&s, this] { s->finish(flush_timeout_s_); });
  for (auto& t : flushing) t.join();
}

}  // namespace wf::alert
