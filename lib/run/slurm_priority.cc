#include "run/slurm_priority.h"

#include "run/slurm_batch.h"
#include "util/log.h"

namespace wf::run {

SlurmCall PrioritisedClient::call(const std::vector<std::string>& argv) {
  if (argv.empty() || argv[0] != "sbatch") return inner_.call(argv);
  SlurmCall r = inner_.call(with_nice(argv));
  if (!r.ok() && privileged_ && nice() < 0 && nice_refused(r.err)) {
    privileged_ = false;
    util::note("Slurm refused nice {} (only operators may raise a job's priority): the run's jobs go at nice {}",
               job_nice(priority_, true), nice());
    r = inner_.call(with_nice(argv));
  }
  return r;
}

long long PrioritisedClient::nice() const { return job_nice(priority_, privileged_); }

std::vector<std::string> PrioritisedClient::with_nice(const std::vector<std::string>& argv) const {
  std::vector<std::string> out = argv;
  auto extra = nice_args(nice());
  out.insert(out.begin() + 1, extra.begin(), extra.end());
  return out;
}

}  // namespace wf::run
