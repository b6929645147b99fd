#pragma once
// Reading a raw wait status (from wait4) the way a person and a shell would.
#include <optional>
#include <string>

namespace wf::run {

// The exit code when the process exited normally.
std::optional<int> exit_code(int status);
// The signal that terminated the process, when one did.
std::optional<int> term_signal(int status);
bool core_dumped(int status);
// Terminated by SIGKILL: what the kernel's (or a cgroup's) OOM killer does, and also what a
// timeout kill does; the caller, who knows whether it sent SIGKILL itself, tells the two apart.
bool killed_by_sigkill(int status);
// `$?` as a shell reports it: the exit code, or 128 + the signal number.
int shell_status(int status);
// "exit 0", "exit 3", "signal SIGSEGV (core dumped)", "signal SIGKILL".
std::string describe_status(int status);

}  // namespace wf::run
