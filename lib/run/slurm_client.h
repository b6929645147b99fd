#pragma once
// The Slurm executor's seam to the cluster: running a Slurm client program (sbatch, squeue, sacct,
// scancel, scontrol, sinfo) and waiting between polls. The real one runs the programs found on
// PATH, talking to whatever cluster SLURM_CONF names; unit tests substitute a scripted cluster.
#include <string>
#include <string_view>
#include <vector>

namespace wf::run {

struct SlurmCall {
  int exit_code = 0;  // 128 + signal when the program was killed
  std::string out;
  std::string err;
  bool ok() const { return exit_code == 0; }
  // The first line of stderr (else of stdout), for messages: "sbatch: error: Invalid partition".
  std::string first_error_line() const;
};

class SlurmClient {
 public:
  virtual ~SlurmClient() = default;
  // Runs argv (argv[0] a program name looked up on PATH) with no stdin and waits for it.
  // Throws wf::Error 69 when the program cannot be started (no Slurm client on this host).
  virtual SlurmCall call(const std::vector<std::string>& argv) = 0;
};

// Runs the programs in their own process group (a terminal's Ctrl-C reaches wf-run, which then
// cancels the run's jobs itself) with signals reset, output captured, and a deadline per call:
// a client that hangs on an unreachable slurmctld is killed after timeout_s and reported as
// failed (exit 128 + SIGKILL). Waits for its own child only (waitpid(pid)).
class RealSlurmClient final : public SlurmClient {
 public:
  explicit RealSlurmClient(double timeout_s = 120) : timeout_s_(timeout_s) {}
  SlurmCall call(const std::vector<std::string>& argv) override;

 private:
  double timeout_s_;
};

// "sbatch --parsable ..." with every word shell-quoted where needed, for messages and logs.
std::string describe_call(const std::vector<std::string>& argv);

}  // namespace wf::run
