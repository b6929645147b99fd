#pragma once
// The executor's one seam to the outside: starting processes, waiting for them, signalling them
// and measuring them. The local runner does it on this machine; tests may substitute their own.
#include <optional>
#include <span>
#include <vector>

#include "run/process.h"
#include "run/procfs.h"
#include "run/reaper.h"

namespace wf::run {

class Runner {
 public:
  virtual ~Runner() = default;
  virtual pid_t start(const SpawnSpec& spec) = 0;
  // A child that ended, or nullopt after timeout_s or when a stop signal arrived.
  virtual std::optional<Exit> wait(double timeout_s) = 0;
  // SIGINT/SIGTERM/SIGHUP received since the last call, or 0.
  virtual int take_stop_signal() = 0;
  virtual void signal(pid_t pgid, int sig) = 0;
  virtual void sample(std::span<const pid_t> roots, std::vector<TaskUsage>& out) = 0;
};

// This machine: posix_spawn, wait4 via the Reaper, /proc sampling. Construct it in the main
// thread before any other thread starts (see Reaper).
class LocalRunner final : public Runner {
 public:
  LocalRunner();
  pid_t start(const SpawnSpec& spec) override { return spawn(spec); }
  std::optional<Exit> wait(double timeout_s) override { return reaper_.wait_any(timeout_s); }
  int take_stop_signal() override { return reaper_.take_stop_signal(); }
  void signal(pid_t pgid, int sig) override;
  void sample(std::span<const pid_t> roots, std::vector<TaskUsage>& out) override { sampler_.sample(roots, out); }

 private:
  Reaper reaper_;
  ProcSampler sampler_;
};

}  // namespace wf::run
