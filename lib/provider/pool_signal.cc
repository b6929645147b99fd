#include "provider/pool_signal.h"

#include <cmath>

#include <fcntl.h>
#include <poll.h>
#include <sys/inotify.h>
#include <unistd.h>

namespace wf::provider {

std::string pool_signal_path(const std::string& ledger_path) {
  if (ledger_path.empty() || ledger_path == ":memory:") return "";
  return ledger_path + "-wake";
}

PoolSignal::PoolSignal(std::string path) : path_(std::move(path)) {}

PoolSignal::~PoolSignal() {
  if (inotify_ >= 0) close(inotify_);
}

void PoolSignal::arm() {
  if (path_.empty() || inotify_ >= 0) return;
  int fd = open(path_.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
  if (fd >= 0) close(fd);
  inotify_ = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
  if (inotify_ >= 0 && inotify_add_watch(inotify_, path_.c_str(), IN_MODIFY | IN_ATTRIB) < 0) {
    close(inotify_);
    inotify_ = -1;
  }
}

void PoolSignal::wait(double timeout_s, util::Clock& clock) {
  if (inotify_ < 0) {
    clock.sleep(timeout_s);
    return;
  }
  pollfd p{inotify_, POLLIN, 0};
  poll(&p, 1, static_cast<int>(std::ceil(timeout_s * 1000)));
  char events[4096];
  while (read(inotify_, events, sizeof events) > 0) {
  }
}

void PoolSignal::notify() {
  if (path_.empty()) return;
  int fd = open(path_.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0) return;
  char one = '1';
  if (pwrite(fd, &one, 1, 0) < 0) {
    // Best effort: the waiters' next poll finds the room anyway.
  }
  close(fd);
}

}  // namespace wf::provider
