#pragma once
// Measuring running tasks from /proc: one pass over /proc per sample attributes every process to
// at most one task and sums its usage per task, so the cost grows with the number of processes on
// the machine, never with tasks times processes.
//
// Which processes belong to a task (the task being the pid spawn() returned, its "root", which is
// also its process-group id): a process belongs to root R when it, or one of its ancestors by the
// ppid chain, is R or is in R's process group — the nearest such process on the chain decides.
//   - The chain keeps sub-groups and new sessions that a task's processes create (make -j, a shell
//     with `set -m`) inside the task;
//   - the group keeps background processes orphaned by a task (re-parented to init or to a
//     subreaper) inside it, with their own descendants.
// A process that both left the group and lost its parent chain (a daemon: double fork + setsid) is
// no longer seen. Roots must be distinct, unreaped children of the caller, spawned as group leaders:
// then no pid on a chain leading to them can have been reused.
//
// What is counted per task (all from /proc/PID/stat and /proc/PID/io of each member):
//   - rss_bytes: the sum of the members' resident sets (shared pages count once per process, so
//     this over-counts memory shared between members, like `ps` totals do);
//   - cpu_s: utime+stime of every member, plus cutime+cstime, the time of the members' children
//     that they already reaped. Time of a process whose parent exited before reaping it, or that
//     was reaped by a non-member, is lost: a sample is a lower bound, and the rusage from wait4 at
//     the end is the authority for the total;
//   - read_bytes/write_bytes: rchar/wchar, bytes moved by read()/write()-family calls, from disk
//     or page cache, pipes and sockets alike (what the task asked for, stable across cache states);
//   - disk_read_bytes/disk_write_bytes: read_bytes/write_bytes of /proc/PID/io, bytes that reached
//     the storage layer (writes counted when dirtied). Both I/O pairs, like cpu_s, include the
//     members' reaped children (the kernel folds a reaped child's counters into its parent's).
//     /proc/PID/io needs ptrace-read access (same user, not set-uid): when a member's cannot be
//     read, io_complete is false and its I/O is missing from the sums;
//   - processes: members that are not zombies (a zombie's CPU and I/O still count).
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <dirent.h>
#include <sys/types.h>

namespace wf::run {

// The fields wf uses from /proc/PID/stat.
struct ProcStat {
  pid_t pid = 0;
  char state = '?';
  pid_t ppid = 0;
  pid_t pgrp = 0;
  pid_t session = 0;
  uint64_t utime_ticks = 0, stime_ticks = 0, cutime_ticks = 0, cstime_ticks = 0;
  uint64_t start_ticks = 0;  // since boot
  uint64_t rss_pages = 0;
};

// Parses one /proc/PID/stat line. The command name is everything between the first '(' and the
// LAST ')', so names holding spaces and parentheses ("(a) b)") parse. nullopt on malformed text.
std::optional<ProcStat> parse_stat(std::string_view text);

struct ProcIo {
  uint64_t rchar = 0, wchar = 0, read_bytes = 0, write_bytes = 0;
};

// Parses /proc/PID/io ("rchar: 123\n..."); nullopt when rchar or wchar is missing.
std::optional<ProcIo> parse_io(std::string_view text);

// The host's CPU load at an instant: runnable threads (running or waiting for a CPU) on the whole
// host, the reader excluded, and the host's online CPUs.
struct HostLoad {
  double runnable = 0;
  double cpus = 0;
};

// Parses /proc/loadavg ("0.52 0.58 0.59 3/1042 12345"): the fourth field's numerator is the
// number of runnable scheduling entities at the instant of the read, the reader itself included;
// one is taken off for it. nullopt on malformed text.
std::optional<double> parse_loadavg_runnable(std::string_view text);

// Reads root/loadavg (root defaulting to /proc) and the online CPUs; nullopt when either is not
// known (no such file, or a malformed one).
std::optional<HostLoad> read_host_load(const std::string& root = "/proc");

// Parses /proc/pressure/cpu ("some avg10=0.00 avg60=0.20 avg300=0.67 total=17007928074\nfull ..."):
// the "some" line's total, the microseconds during which at least one runnable thread on the host
// waited for a CPU (pressure stall information, a running sum since boot), in seconds. nullopt on
// malformed text.
std::optional<double> parse_cpu_pressure_some(std::string_view text);

// Reads root/pressure/cpu (root defaulting to /proc); nullopt where the kernel has no pressure
// stall information (CONFIG_PSI off, or psi=0).
std::optional<double> read_cpu_pressure_s(const std::string& root = "/proc");

struct TaskUsage {
  pid_t root = 0;
  uint32_t processes = 0;
  uint64_t rss_bytes = 0;
  double cpu_s = 0;
  uint64_t read_bytes = 0, write_bytes = 0;
  uint64_t disk_read_bytes = 0, disk_write_bytes = 0;
  bool io_complete = true;
};

struct ProcfsOptions {
  std::string root = "/proc";  // tests point this at a directory of fake PID/stat, PID/io files
  long ticks_per_s = 0;        // 0: sysconf(_SC_CLK_TCK)
  long page_bytes = 0;         // 0: sysconf(_SC_PAGESIZE)
};

// Keeps each process's /proc/PID/stat open between passes (re-reading an open one with pread costs
// about a third of open+read+close); a descriptor whose process is gone, or whose pid was reused,
// fails with ESRCH and is reopened. At most a quarter of RLIMIT_NOFILE (up to 4096) stay open.
class ProcSampler {
 public:
  explicit ProcSampler(ProcfsOptions options = {});
  ~ProcSampler();
  ProcSampler(const ProcSampler&) = delete;
  ProcSampler& operator=(const ProcSampler&) = delete;

  // One pass: out[i] is the usage of roots[i] (zeros, processes 0, when nothing of it is alive).
  // Reuses out's storage. Throws wf::Error (74) only when the root directory cannot be read.
  void sample(std::span<const pid_t> roots, std::vector<TaskUsage>& out);
  std::vector<TaskUsage> sample(std::span<const pid_t> roots);

  // The pids attributed to `root` by the rule above, ascending (zombies included): what to signal
  // one by one when a task's processes may have left its group.
  std::vector<pid_t> members(pid_t root);

 private:
  struct Proc {
    ProcStat stat;
    int task = 0;  // index into the sorted roots, or a kUnresolved/kNone marker
  };

  struct StatFd {
    pid_t pid;
    int fd;
  };

  void scan();
  ssize_t read_stat(pid_t pid, const char* name, size_t& cursor, char* buf, size_t cap);
  void attribute(std::span<const pid_t> roots);
  int resolve(size_t i);
  int root_index(pid_t pid) const;
  long find(pid_t pid) const;
  void add_io(pid_t pid, TaskUsage& usage) const;

  ProcfsOptions options_;
  DIR* dir_ = nullptr;  // kept open and rewound between passes
  std::vector<Proc> procs_;  // by ascending pid
  std::vector<std::pair<pid_t, size_t>> roots_;  // (pid, index in the caller's span), by pid
  std::vector<size_t> chain_;
  std::vector<StatFd> stat_fds_;       // by ascending pid, from the last pass
  std::vector<StatFd> next_stat_fds_;  // being built by this pass
  size_t max_stat_fds_ = 0;
};

}  // namespace wf::run
