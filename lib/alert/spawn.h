#pragma once
// Starting a helper command that wf-run's reaper never sees. The executor reaps with wait4(-1)
// (run/reaper.h), which would take any ordinary child's exit status from under us. So the command
// is a grandchild: a "clone child" (created by clone() with no exit signal, which wait4 without
// __WCLONE ignores; it never execs, since an exec turns it back into an ordinary child) starts the
// command, waits for it and writes its pid and then its wait status to a pipe. The command gets
// its own process group, an empty signal mask, stdin from a pipe and stdout + stderr to another.
#include <optional>
#include <string>
#include <vector>

#include <sys/types.h>

namespace wf::alert {

struct Helper {
  pid_t pid = -1;       // the command (its process group too)
  pid_t waiter = -1;    // the clone child that waits for it
  int stdin_fd = -1;    // write end, O_NONBLOCK; close it to give EOF
  int output_fd = -1;   // read end, O_NONBLOCK: the command's stdout and stderr
  int status_fd = -1;   // read end, O_NONBLOCK: the command's wait status, once it has exited
};

// argv[0] as execvp would find it (PATH searched when it has no '/'). Throws wf::Error (69) when
// there is no such executable.
std::string resolve_program(const std::string& program);

// Throws wf::Error (unavailable, 69) when the program cannot be found or executed.
Helper spawn_helper(const std::vector<std::string>& argv);

// The command's wait status once it has exited (the waiter is then reaped and status_fd closed),
// else nullopt. Never blocks.
std::optional<int> reap_helper(Helper& h);
// Kills the command's process group, then reaps as above (blocks until it is gone: SIGKILL is prompt).
int kill_helper(Helper& h);

}  // namespace wf::alert
