#pragma once
// Waiting between polls of the cluster, woken at once by a request to stop. The Slurm executor has
// no children of its own to reap, so it waits on the stop signals alone.
#include <csignal>
#include <vector>

namespace wf::run {

class StopWaiter {
 public:
  virtual ~StopWaiter() = default;
  // Sleeps up to timeout_s; returns the stop signal that arrived (SIGINT, SIGTERM, SIGHUP), or 0
  // when the time ran out.
  virtual int wait(double timeout_s) = 0;
};

// Blocks the stop signals in the calling thread for its lifetime and takes them with sigtimedwait
// (no handler runs). Construct it in the main thread before any other thread starts (threads
// inherit the mask); restores the previous mask when destroyed. The Slurm client programs wf runs
// start with a clean mask in their own process group (slurm_client.h): a terminal's Ctrl-C
// reaches wf-run only, which then cancels the run's jobs.
class SignalWaiter final : public StopWaiter {
 public:
  explicit SignalWaiter(std::vector<int> signals = {SIGINT, SIGTERM, SIGHUP});
  ~SignalWaiter() override;
  SignalWaiter(const SignalWaiter&) = delete;
  SignalWaiter& operator=(const SignalWaiter&) = delete;
  int wait(double timeout_s) override;

 private:
  sigset_t set_{};
  sigset_t old_{};
};

}  // namespace wf::run
