#pragma once
// A run's priority on Slurm: every job of the run is submitted with the nice its workflow priority
// maps to (slurm_batch.h job_nice), through the client seam, so the executor needs to know nothing
// of it.
#include <string>
#include <vector>

#include "run/slurm_client.h"

namespace wf::run {

// Adds --nice to each sbatch call. When Slurm refuses a negative nice (the user is no operator),
// the job is submitted again at nice 0 and so are the rest of the run's jobs, with one note saying
// so. Other programs pass through unchanged.
class PrioritisedClient final : public SlurmClient {
 public:
  PrioritisedClient(SlurmClient& inner, int priority) : inner_(inner), priority_(priority) {}
  SlurmCall call(const std::vector<std::string>& argv) override;
  // The nice the run's jobs go at now.
  long long nice() const;

 private:
  std::vector<std::string> with_nice(const std::vector<std::string>& argv) const;

  SlurmClient& inner_;
  int priority_;
  bool privileged_ = true;
};

}  // namespace wf::run
