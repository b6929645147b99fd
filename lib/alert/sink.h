#pragma once
// Where alerts go. send() is called from the executor's thread between two waits, so it must be
// quick: a sink that talks to the outside (webhook.h, command.h) only queues the alert for a
// thread of its own. finish() is called once, when the run ends: it delivers what is queued
// within `timeout_s` and gives up on the rest (saying so), so no sink can hold the run up.
#include <memory>
#include <string>

#include "alert/alert.h"
#include "run/events.h"

namespace wf::alert {

class Sink {
 public:
  virtual ~Sink() = default;
  virtual void send(const Alert& alert) = 0;
  virtual void finish(double /*timeout_s*/) {}
};

// "wf-run: warning: alert: <describe(alert)>" (silenced by -q, like every warning).
class StderrSink : public Sink {
 public:
  void send(const Alert& alert) override;
};

// An "alert" event with the alert's members (man wf-run(1), EVENTS). Not owned; must outlive it.
class EventsSink : public Sink {
 public:
  explicit EventsSink(run::Events& events) : events_(events) {}
  void send(const Alert& alert) override;

 private:
  run::Events& events_;
};

}  // namespace wf::alert
