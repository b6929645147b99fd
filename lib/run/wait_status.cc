#include "run/wait_status.h"

#include <csignal>
#include <cstring>

#include <sys/wait.h>

#include <fmt/format.h>

namespace wf::run {

std::optional<int> exit_code(int status) {
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  return std::nullopt;
}

std::optional<int> term_signal(int status) {
  if (WIFSIGNALED(status)) return WTERMSIG(status);
  return std::nullopt;
}

bool core_dumped(int status) { return WIFSIGNALED(status) && WCOREDUMP(status); }

bool killed_by_sigkill(int status) { return WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL; }

int shell_status(int status) {
  if (auto code = exit_code(status)) return *code;
  if (auto sig = term_signal(status)) return 128 + *sig;
  return 255;  // stopped or continued: not a final status
}

std::string describe_status(int status) {
  if (auto code = exit_code(status)) return fmt::format("exit {}", *code);
  if (auto sig = term_signal(status)) {
    const char* abbrev = ::sigabbrev_np(*sig);
    std::string name = abbrev != nullptr ? fmt::format("SIG{}", abbrev) : fmt::format("{}", *sig);
    return fmt::format("signal {}{}", name, core_dumped(status) ? " (core dumped)" : "");
  }
  return fmt::format("status {:#x}", status);
}

}  // namespace wf::run
