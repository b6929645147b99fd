#pragma once
// Reaping task processes with their resource usage, and waking up promptly for the two things an
// executor waits on: a child exiting, or a request to stop (SIGINT, SIGTERM, SIGHUP).
//
// How it works, and what the caller must do:
//   - The Reaper blocks SIGCHLD and the stop signals in the calling thread and collects them
//     synchronously with sigtimedwait; no signal handler runs, nothing busy-waits.
//   - Signals aimed at the process go to any thread that does not block them, so construct the
//     Reaper in the main thread BEFORE starting other threads (they inherit the mask), and call
//     wait_any from that thread. A thread created earlier with the signals unblocked would take
//     SIGINT's default action (terminate) in place of us.
//   - SIGCHLD's disposition is set to SIG_DFL (under SIG_IGN the kernel would reap children
//     itself and wait4 would find nothing).
//   - Children do not inherit any of this: spawn() resets the mask and dispositions.
//   - Only one Reaper may exist at a time; it restores the previous mask and SIGCHLD disposition
//     when destroyed (a stop signal still pending then is delivered as usual).
//   - wait4(-1) reaps ANY child of this process, so every Exit is for some child of ours; the
//     caller ignores pids it did not start (orphans adopted through become_subreaper, say).
#include <cstdint>
#include <optional>
#include <vector>

#include <csignal>
#include <sys/types.h>

namespace wf::run {

// One reaped child: its raw wait status and its rusage (the child plus the descendants it reaped).
struct Exit {
  pid_t pid = 0;
  int status = 0;  // decode with run/wait_status.h
  double user_s = 0;
  double sys_s = 0;
  uint64_t max_rss_bytes = 0;     // the largest RSS of any one process in the tree, not a sum
  uint64_t disk_read_bytes = 0;   // ru_inblock * 512: reads that reached the storage layer
  uint64_t disk_write_bytes = 0;  // ru_oublock * 512
};

class Reaper {
 public:
  explicit Reaper(std::vector<int> stop_signals = {SIGINT, SIGTERM, SIGHUP});
  ~Reaper();
  Reaper(const Reaper&) = delete;
  Reaper& operator=(const Reaper&) = delete;

  // Reaps one exited child and returns it; else waits up to timeout_s (0: just look) for one.
  // Returns nullopt when the time is up, when this process has no child at all (at once), or when
  // a stop signal arrives (at once, before reaping anything: take_stop_signal() then says which).
  // Call again to reap more: one call reaps at most one child.
  std::optional<Exit> wait_any(double timeout_s);

  // The stop signal received since the last call, or 0. A second Ctrl-C is a second signal.
  int take_stop_signal();

 private:
  int wait_signal(double timeout_s);

  sigset_t wait_set_{};
  sigset_t old_mask_{};
  struct sigaction old_chld_ {};
  std::vector<int> stop_signals_;
  int stop_signal_ = 0;
};

// Makes this process the child subreaper (prctl PR_SET_CHILD_SUBREAPER): descendants orphaned by a
// task (a daemonised background job) are re-parented to us instead of init, so they stay findable
// by pgid, can be killed, and are reaped by wait_any instead of lingering as zombies.
void become_subreaper();

}  // namespace wf::run
