#include "run/runner.h"

#include <csignal>

#include "util/error.h"

namespace wf::run {

LocalRunner::LocalRunner() { become_subreaper(); }

void LocalRunner::signal(pid_t pgid, int sig) {
  // Members that left the group (setsid in a task) are signalled one by one too.
  try {
    kill_group(pgid, sig);
  } catch (const Error&) {
  }
  for (pid_t pid : sampler_.members(pgid))
    if (pid > 1) ::kill(pid, sig);
}

}  // namespace wf::run
