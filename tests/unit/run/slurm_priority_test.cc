// A run's priority on Slurm: the nice a priority maps to, and the client that submits with it.
#include <catch2/catch.hpp>

#include "run/slurm_batch.h"
#include "run/slurm_priority.h"

using namespace wf;
using namespace wf::run;

namespace {

// sbatch as an unprivileged user sees it: a negative nice is refused, anything else accepted.
struct Sbatch final : SlurmClient {
  bool operator_ = false;
  std::vector<std::vector<std::string>> calls;
  SlurmCall call(const std::vector<std::string>& argv) override {
    calls.push_back(argv);
    for (const auto& a : argv)
      if (a.rfind("--nice=-", 0) == 0 && !operator_) return {1, "", "sbatch: error: Invalid --nice value\n"};
    return {0, std::to_string(calls.size()) + "\n", ""};
  }
};

}  // namespace

TEST_CASE("slurm priority: a priority level is 100 of nice, clamped, never negative without privilege") {
  CHECK(job_nice(0, true) == 0);
  CHECK(job_nice(5, true) == -500);
  CHECK(job_nice(-3, true) == 300);
  CHECK(job_nice(5, false) == 0);
  CHECK(job_nice(-3, false) == 300);
  CHECK(job_nice(1000, true) == -kMaxNice);
  CHECK(job_nice(-1000, false) == kMaxNice);
  CHECK(nice_args(0).empty());
  CHECK(nice_args(-500) == std::vector<std::string>{"--nice=-500"});
  CHECK(nice_refused("sbatch: error: Invalid --nice value\n"));
  CHECK_FALSE(nice_refused("sbatch: error: Invalid partition name specified"));
}

TEST_CASE("slurm priority: jobs go at the run's nice; a refused negative nice falls back to 0 for the rest") {
  Sbatch sbatch;
  PrioritisedClient client(sbatch, 2);
  CHECK(client.nice() == -200);
  SlurmCall first = client.call({"sbatch", "--parsable", "job.sh"});
  CHECK(first.ok());
  // Refused at -200, submitted again without --nice; the next job goes at 0 straight away.
  REQUIRE(sbatch.calls.size() == 2);
  CHECK(sbatch.calls[0] == std::vector<std::string>{"sbatch", "--nice=-200", "--parsable", "job.sh"});
  CHECK(sbatch.calls[1] == std::vector<std::string>{"sbatch", "--parsable", "job.sh"});
  CHECK(client.nice() == 0);
  client.call({"sbatch", "--parsable", "next.sh"});
  CHECK(sbatch.calls.size() == 3);
  CHECK(sbatch.calls[2] == std::vector<std::string>{"sbatch", "--parsable", "next.sh"});
  // Other programs pass through untouched.
  client.call({"squeue", "-h"});
  CHECK(sbatch.calls.back() == std::vector<std::string>{"squeue", "-h"});
}

TEST_CASE("slurm priority: an operator's negative nice is kept; a low priority needs no privilege") {
  Sbatch sbatch;
  sbatch.operator_ = true;
  PrioritisedClient high(sbatch, 3);
  high.call({"sbatch", "a.sh"});
  CHECK(sbatch.calls.back() == std::vector<std::string>{"sbatch", "--nice=-300", "a.sh"});
  CHECK(high.nice() == -300);
  Sbatch plain;
  PrioritisedClient low(plain, -1);
  low.call({"sbatch", "b.sh"});
  CHECK(plain.calls.size() == 1);
  CHECK(plain.calls[0] == std::vector<std::string>{"sbatch", "--nice=100", "b.sh"});
}
