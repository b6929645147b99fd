#pragma once
// Starting one task process. posix_spawn (glibc: clone(CLONE_VM|CLONE_VFORK), no page-table copy)
// keeps the cost per task near that of exec itself, whatever our own memory size.
//
// Every child starts with: stdin from /dev/null; stdout and stderr to its log files; no other
// descriptor (everything from 3 up is closed); an empty signal mask and every signal at its
// default disposition (so `SIGINT ignored` or `SIGCHLD blocked` in wf-run never leaks into tasks;
// glibc alone keeps its two internal real-time signals, 32 and 33, ignored);
// by default, a new process group whose id is the child's pid, so the whole task can be signalled
// with kill_group and a terminal's Ctrl-C reaches wf-run only.
#include <string>
#include <vector>

#include <sys/types.h>

#include "run/environment.h"

namespace wf::run {

struct SpawnSpec {
  // argv[0] is looked up in the PATH of `env` (relative entries against `cwd`) unless it contains
  // a '/'; the child sees argv[0] as given.
  std::vector<std::string> argv;
  std::string cwd;  // empty: ours
  Environment env;  // exactly the child's environment ("K=V"); empty means an empty environment
  // Opened here with O_CREAT|O_TRUNC|O_CLOEXEC (mode 0600: task output may hold secrets) and dup'ed into the child. Empty: /dev/null.
  // The same path for both: one open file, so the two streams interleave instead of overwriting.
  std::string stdout_path;
  std::string stderr_path;
  bool new_process_group = true;
};

// Starts the process and returns its pid (also its process-group id when new_process_group).
// The caller reaps it (Reaper::wait_any).
//
// Like the shell: a program not found in PATH still gives a child, which writes
// "wf: <prog>: command not found" to the stderr log and exits 127; one that exists but cannot be
// executed writes "wf: <prog>: <reason>" and exits 126 (127 when the file vanished); a file
// without a #! line or ELF header runs under /bin/sh. So a task's failure always looks the same
// to the caller: an exit status and a log.
//
// Throws wf::Error: a log file cannot be created (73), the working directory is unusable (66), the
// system refuses a new process (EAGAIN, ENOMEM: 75), argv is empty (70), anything else (74).
pid_t spawn(const SpawnSpec& spec);

// Sends `sig` to every process of group `pgid`. True when at least one process got it, false when
// the group no longer exists. The group outlives its leader while any member is left (background
// jobs of a task that exited), and its id cannot be reused until the last member is gone; once it
// is, the number may in time name another group, so callers stop signalling a task's group after
// kill_group has returned false for it. Throws wf::Error for pgid <= 1 (70: kill(-1) would signal every
// process we may signal, kill(0) our own group), EPERM (77) and a bad signal number (70).
bool kill_group(pid_t pgid, int sig);

}  // namespace wf::run
