#pragma once
// Time only through a Clock, so tests can fake it. Seconds as double since the Unix epoch (wall)
// and a monotonic reading for durations.
#include <memory>
#include <string>

namespace wf::util {

class Clock {
 public:
  virtual ~Clock() = default;
  virtual double wall() const = 0;       // seconds since the epoch
  virtual double monotonic() const = 0;  // seconds, arbitrary origin, never goes back
  virtual void sleep(double seconds) = 0;
};

class RealClock final : public Clock {
 public:
  double wall() const override;
  double monotonic() const override;
  void sleep(double seconds) override;
};

// A clock that moves only when told to; sleep() advances it.
class FakeClock final : public Clock {
 public:
  explicit FakeClock(double start = 1'700'000'000.0) : now_(start) {}
  double wall() const override { return now_; }
  double monotonic() const override { return now_; }
  void sleep(double seconds) override { now_ += seconds; }
  void advance(double seconds) { now_ += seconds; }

 private:
  double now_;
};

Clock& real_clock();

// "2026-11-29T12:00:00Z" from seconds since the epoch (UTC, second precision).
std::string iso8601(double epoch_seconds);

}  // namespace wf::util
