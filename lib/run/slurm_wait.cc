#include "run/slurm_wait.h"

#include <cerrno>
#include <cmath>
#include <cstring>
#include <ctime>

#include <pthread.h>

#include "util/error.h"

namespace wf::run {
namespace {

double monotonic_s() {
  timespec ts{};
  ::clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

}  // namespace

SignalWaiter::SignalWaiter(std::vector<int> signals) {
  sigemptyset(&set_);
  for (int s : signals) sigaddset(&set_, s);
  ::pthread_sigmask(SIG_BLOCK, &set_, &old_);
}

SignalWaiter::~SignalWaiter() { ::pthread_sigmask(SIG_SETMASK, &old_, nullptr); }

int SignalWaiter::wait(double timeout_s) {
  double deadline = monotonic_s() + std::max(0.0, timeout_s);
  for (;;) {
    double left = std::max(0.0, deadline - monotonic_s());
    double whole = std::floor(left);
    timespec ts{static_cast<time_t>(whole), static_cast<long>((left - whole) * 1e9)};
    int sig = ::sigtimedwait(&set_, nullptr, &ts);
    if (sig > 0) return sig;
    if (errno == EAGAIN) return 0;
    if (errno != EINTR) fail(util::Exit::software, "sigtimedwait: {}", std::strerror(errno));
  }
}

}  // namespace wf::run
