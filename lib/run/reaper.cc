#include "run/reaper.h"

#include <atomic>
#include <cerrno>
#include <cmath>
#include <cstring>
#include <ctime>

#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>

#include "util/error.h"

namespace wf::run {
namespace {

std::atomic<bool> g_reaper_exists{false};

double seconds(const timeval& tv) { return static_cast<double>(tv.tv_sec) + static_cast<double>(tv.tv_usec) * 1e-6; }

double monotonic_s() {
  timespec ts{};
  ::clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

timespec to_timespec(double s) {
  if (s <= 0) return {0, 0};
  double whole = std::floor(s);
  return {static_cast<time_t>(whole), static_cast<long>((s - whole) * 1e9)};
}

}  // namespace

Reaper::Reaper(std::vector<int> stop_signals) : stop_signals_(std::move(stop_signals)) {
  if (g_reaper_exists.exchange(true)) fail(util::Exit::software, "a second Reaper was created");
  sigemptyset(&wait_set_);
  sigaddset(&wait_set_, SIGCHLD);
  for (int sig : stop_signals_) sigaddset(&wait_set_, sig);
  ::pthread_sigmask(SIG_BLOCK, &wait_set_, &old_mask_);
  struct sigaction dfl {};
  dfl.sa_handler = SIG_DFL;
  sigemptyset(&dfl.sa_mask);
  ::sigaction(SIGCHLD, &dfl, &old_chld_);
}

Reaper::~Reaper() {
  ::sigaction(SIGCHLD, &old_chld_, nullptr);
  ::pthread_sigmask(SIG_SETMASK, &old_mask_, nullptr);
  g_reaper_exists = false;
}

// The signal taken from the wait set within timeout_s, or 0 when none came.
int Reaper::wait_signal(double timeout_s) {
  double deadline = monotonic_s() + timeout_s;
  while (true) {
    timespec ts = to_timespec(deadline - monotonic_s());
    int sig = ::sigtimedwait(&wait_set_, nullptr, &ts);
    if (sig > 0) return sig;
    if (errno == EAGAIN) return 0;
    if (errno != EINTR) fail(util::Exit::software, "sigtimedwait: {}", std::strerror(errno));
  }
}

std::optional<Exit> Reaper::wait_any(double timeout_s) {
  const double deadline = monotonic_s() + timeout_s;
  // The first look does not block, and looks for a stop signal before reaping: with short tasks a
  // child is nearly always ready, and checking only when none is would let Ctrl-C wait for the run.
  double wait_s = 0;
  while (true) {
    int sig = wait_signal(wait_s);
    if (sig != 0 && sig != SIGCHLD) {
      stop_signal_ = sig;
      return std::nullopt;
    }
    int status = 0;
    rusage ru{};
    pid_t pid = ::wait4(-1, &status, WNOHANG, &ru);
    if (pid > 0) {
      return Exit{pid,
                  status,
                  seconds(ru.ru_utime),
                  seconds(ru.ru_stime),
                  static_cast<uint64_t>(ru.ru_maxrss) * 1024,
                  static_cast<uint64_t>(ru.ru_inblock) * 512,
                  static_cast<uint64_t>(ru.ru_oublock) * 512};
    }
    if (pid < 0 && errno == ECHILD) return std::nullopt;
    if (pid < 0 && errno != EINTR) fail(util::Exit::software, "wait4: {}", std::strerror(errno));
    // Nothing to reap (a SIGCHLD taken may be stale, or glibc's own from a failed spawn): sleep
    // until the next signal or the deadline.
    wait_s = deadline - monotonic_s();
    if (wait_s <= 0) return std::nullopt;
  }
}

int Reaper::take_stop_signal() {
  int sig = stop_signal_;
  stop_signal_ = 0;
  return sig;
}

void become_subreaper() {
  if (::prctl(PR_SET_CHILD_SUBREAPER, 1) != 0)
    fail(util::Exit::software, "cannot become child subreaper: {}", std::strerror(errno));
}

}  // namespace wf::run
