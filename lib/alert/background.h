#pragma once
// A sink that delivers from a thread of its own, through a bounded queue: send() never waits (a
// full queue drops the alert, with a warning), finish() gives the thread until a deadline to
// empty the queue, then aborts what is in flight and abandons the rest (with a warning).
//
// The thread is created with SIGINT, SIGTERM, SIGHUP and SIGCHLD blocked, so those always reach
// the executor's wait (run/reaper.h), whenever the sink is built.
#include <atomic>
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <mutex>
#include <string>
#include <thread>

#include "alert/sink.h"

namespace wf::alert {

class BackgroundSink : public Sink {
 public:
  ~BackgroundSink() override;
  void send(const Alert& alert) final;
  void finish(double timeout_s) final;

  size_t dropped() const { return dropped_; }      // the queue was full
  size_t abandoned() const { return abandoned_; }  // still queued or in flight at the deadline

 protected:
  // `what` names the sink in warnings (already redacted).
  BackgroundSink(std::string what, size_t capacity);
  // Derived constructors call this last; derived destructors call finish(0) first, so the thread
  // never runs deliver() on a half-destroyed object.
  void start();
  // Delivers one alert (its JSON). Must return soon after `aborted()` turns true.
  virtual void deliver(const std::string& json) = 0;
  bool aborted() const { return abort_; }
  const std::atomic<bool>& abort_flag() const { return abort_; }
  // Sleeps up to `seconds`; false when aborted meanwhile (the sleep is cut short).
  bool pause(double seconds);
  const std::string& what() const { return what_; }

 private:
  void loop();

  std::string what_;
  size_t capacity_;
  std::mutex mutex_;
  std::condition_variable cv_;
  std::deque<std::string> queue_;
  bool in_flight_ = false, stopping_ = false, finished_ = false;
  std::atomic<bool> abort_{false};
  size_t dropped_ = 0, abandoned_ = 0;
  std::thread thread_;
};

}  // namespace wf::alert
