#pragma once
// SIGPIPE blocked in this thread for the guard's lifetime, and any one raised meanwhile discarded:
// a write to a pipe whose reader is gone (a program that exited without reading its input) then
// fails with EPIPE instead of killing the whole process. Thread-directed, so other threads are
// untouched; the signal a write raises is directed at the writing thread, where it is blocked.
#include <pthread.h>

#include <csignal>
#include <ctime>

namespace wf::util {

class SigpipeGuard {
 public:
  SigpipeGuard() {
    sigset_t pipe_set;
    sigemptyset(&pipe_set);
    sigaddset(&pipe_set, SIGPIPE);
    pthread_sigmask(SIG_BLOCK, &pipe_set, &old_);
  }
  ~SigpipeGuard() {
    if (!sigismember(&old_, SIGPIPE)) {
      sigset_t pipe_set;
      sigemptyset(&pipe_set);
      sigaddset(&pipe_set, SIGPIPE);
      timespec zero{};
      while (sigtimedwait(&pipe_set, nullptr, &zero) == SIGPIPE) {
      }
    }
    pthread_sigmask(SIG_SETMASK, &old_, nullptr);
  }
  SigpipeGuard(const SigpipeGuard&) = delete;
  SigpipeGuard& operator=(const SigpipeGuard&) = delete;

 private:
  sigset_t old_{};
};

}  // namespace wf::util
