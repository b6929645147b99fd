#pragma once
// Wakeups for the local pool's waiting requests, across processes: whoever frees capacity (a
// release, a shrink, a request leaving the queue or reaching its head) touches a file beside the
// ledger, and waiters block on an inotify watch of it until then or until their next poll. Best
// effort by design: a wakeup that is lost (or a file system without inotify) only means waiting
// until the next poll, which still happens — the ledger, not this, decides who gets the room.
#include <string>

#include "util/clock.h"

namespace wf::provider {

class PoolSignal {
 public:
  // `path`: the file to touch and watch; empty: no wakeups (wait() only sleeps on the clock).
  explicit PoolSignal(std::string path);
  ~PoolSignal();
  PoolSignal(const PoolSignal&) = delete;
  PoolSignal& operator=(const PoolSignal&) = delete;

  // Starts watching: call before the first check, so that a touch between the check and wait() is
  // not missed.
  void arm();
  // Returns after timeout_s, or earlier when the file was touched since arm() or the last wait().
  void wait(double timeout_s, util::Clock& clock);
  // Touches the file (mode 0600); errors are ignored.
  void notify();

 private:
  std::string path_;
  int inotify_ = -1;
};

// "<ledger>-wake"; empty for an in-memory ledger.
std::string pool_signal_path(const std::string& ledger_path);

}  // namespace wf::provider
