#pragma once
// The executor's one seam to the outside: starting processes, waiting for them, signalling them
// and measuring them. The local runner does it on this machine; tests substitute their own.
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "run/process.h"
#include "run/procfs.h"
#include "run/reaper.h"

namespace wf::run {

// Which log files an ended attempt left (see LocalRunner: a stream nothing was written to has none).
struct LogFiles {
  bool out = false, err = false;
};

class Runner {
 public:
  virtual ~Runner() = default;
  // Starts a task attempt; returns its pid, also its process-group id. `spec` is the caller's
  // scratch: the runner may change it during the call, and leaves it as it was given.
  virtual pid_t start(SpawnSpec& spec) = 0;
  // A child that ended, or nullopt after timeout_s or when a stop signal arrived.
  virtual std::optional<Exit> wait(double timeout_s) = 0;
  // SIGINT/SIGTERM/SIGHUP received since the last call, or 0.
  virtual int take_stop_signal() = 0;
  // Every process of the task whose root is `pgid`: its group, and members that left the group.
  virtual void signal(pid_t pgid, int sig) = 0;
  // The task's root was reaped: SIGKILL what is left of its process group (background jobs it
  // did not wait for), so nothing of a task outlives it.
  virtual void end_group(pid_t pgid) = 0;
  virtual void sample(std::span<const pid_t> roots, std::vector<TaskUsage>& out) = 0;
  // The host's CPU load now (what the history records beside each attempt), or nullopt when the
  // runner cannot tell; read at every sample.
  virtual std::optional<HostLoad> host_load() { return std::nullopt; }
  // The host's CPU pressure: seconds, summed since boot, during which some runnable thread waited
  // for a CPU; nullopt when the runner cannot tell. Read when an attempt starts and ends, and at
  // every sample.
  virtual std::optional<double> cpu_pressure_s() { return std::nullopt; }
  // The log files of the attempt `pid`, once wait() has returned its Exit. Asked once per attempt.
  virtual LogFiles logs(pid_t pid) = 0;
};

// This machine: posix_spawn, wait4 via the Reaper, /proc sampling. Construct it in the main
// thread before any other thread starts (see Reaper).
//
// Log files are created lazily: an attempt writes into an anonymous in-memory file (memfd), and
// its log file is created and filled when there is something in it — at each sample (so a running
// task's log can be followed, a sample interval behind) and when the attempt ends. The memory of
// what was copied is handed back at once (hole punching), so what a task prints costs at most one
// sample interval's worth of memory. An attempt that printed nothing and exited 0 leaves no file:
// creating two files per task costs more than everything else wf-run does for it (an inode
// allocation is 70 µs to several ms on ext4). A failed attempt always has both files, empty or not.
// Where memfd is unavailable, the log files are created at start, as spawn() does.
class LocalRunner final : public Runner {
 public:
  LocalRunner();
  ~LocalRunner() override;
  LocalRunner(const LocalRunner&) = delete;
  LocalRunner& operator=(const LocalRunner&) = delete;

  pid_t start(SpawnSpec& spec) override;
  std::optional<Exit> wait(double timeout_s) override;
  int take_stop_signal() override;
  void signal(pid_t pgid, int sig) override;
  void end_group(pid_t pgid) override;
  void sample(std::span<const pid_t> roots, std::vector<TaskUsage>& out) override;
  std::optional<HostLoad> host_load() override { return read_host_load(); }
  std::optional<double> cpu_pressure_s() override { return read_cpu_pressure_s(); }
  LogFiles logs(pid_t pid) override;

 private:
  struct Log {
    int mem_fd = -1;   // the task writes here; -1 when the file was created directly
    int file_fd = -1;  // the log file, once created
    std::string path;
    uint64_t copied = 0;
    bool broken = false;  // could not be written: warned once, given up
  };
  struct TaskLogs {
    pid_t pid = 0;
    Log out, err;
    bool shared = false;  // stdout and stderr are one file (err unused)
  };

  void drain(Log& log, bool create_empty);
  void close_log(Log& log);
  void finish_logs(pid_t pid, bool failed);

  Reaper reaper_;
  std::vector<TaskLogs> running_logs_;  // few: one per running attempt
  std::vector<std::pair<pid_t, LogFiles>> ended_logs_;
  std::vector<char> buffer_;  // the copy fallback when sendfile cannot be used
  int stop_signal_ = 0;       // taken while sleeping without children (wait)
};

}  // namespace wf::run
