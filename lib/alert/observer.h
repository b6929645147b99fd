#pragma once
// The executor's observer (run/observer.h) that ties the detector to the sinks: every sample and
// every ended attempt goes through the Detector; every alert it makes goes to every sink, in the
// order given. At the end of the run the sinks get flush_timeout_s, together, to deliver what
// they queued.
#include <memory>
#include <vector>

#include "alert/detector.h"
#include "alert/sink.h"
#include "run/observer.h"
#include "util/clock.h"

namespace wf::alert {

class AlertObserver : public run::Observer {
 public:
  AlertObserver(Detector detector, std::vector<std::unique_ptr<Sink>> sinks, util::Clock& clock, double flush_timeout_s);

  void sampled(const run::RunState& state, std::span<const run::LiveSample> live) override;
  void finished(uint32_t task, int attempt, const run::AttemptResult& result, bool will_retry, double now_s) override;
  void ended(const std::string& status, double now_s) override;

  size_t alerts() const { return alerts_; }
  const Detector& detector() const { return detector_; }

 private:
  void dispatch(const std::vector<Alert>& alerts);

  Detector detector_;
  std::vector<std::unique_ptr<Sink>> sinks_;
  util::Clock& clock_;
  double flush_timeout_s_;
  size_t alerts_ = 0;
  bool ended_ = false;
};

}  // namespace wf::alert
