#pragma once
// Running a plugin program: no shell, an exact environment, its own process group, input on stdin,
// bounded output, a deadline. Behind an interface so the exec provider's retry logic is tested with
// a fake and a fake clock.
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace wf::provider {

struct ProgramOptions {
  double timeout_s = 120;                // then the process group gets SIGTERM ...
  double kill_grace_s = 2;               // ... and SIGKILL this much later
  std::size_t max_output_bytes = 1 << 20;  // stdout beyond this: killed as above
  std::size_t max_error_bytes = 64 << 10;  // stderr beyond this is dropped (the program goes on)
};

struct ProgramResult {
  int wait_status = 0;  // as from waitpid
  std::string out;
  std::string err;
  bool timed_out = false;
  bool output_overflow = false;
  double elapsed_s = 0;

  bool exited() const;
  int exit_code() const;   // when exited()
  int term_signal() const;  // when killed by a signal, else 0
};

class ProgramRunner {
 public:
  virtual ~ProgramRunner() = default;
  // argv[0] is an absolute path; `env` is the whole environment ("NAME=value" entries). Throws
  // ProviderError (unavailable) when the program cannot be started.
  virtual ProgramResult run(const std::vector<std::string>& argv, const std::vector<std::string>& env,
                            std::string_view input, const ProgramOptions& options) = 0;
};

// posix_spawn in a new process group, signal mask and dispositions reset, every descriptor but
// 0/1/2 closed; stdin fed without blocking (a program that exits without reading it is fine: no
// SIGPIPE reaches us). After the program exits, descendants it left holding its stdout or stderr
// get kill_grace_s to let go, then the group is killed. Waits for its own child with waitpid(pid),
// so it must not run while another thread reaps with waitpid(-1).
ProgramRunner& real_runner();

// "SIGKILL" for 9, "signal 77" when unnamed.
std::string signal_name(int signal);

}  // namespace wf::provider
