// What Slurm's client programs print, as wf reads it: the input stands for the stdout of sbatch,
// squeue, sacct and scontrol, answered by a scripted cluster to every call of the Slurm executor
// (run/slurm_jobs.h, run/slurm_nodes.h) and of the slurm provider (provider::Scontrol), and is fed
// to the scontrol record readers directly (util::parse_records, which the executor and the provider share).
#include <string>
#include <vector>

#include "fuzz.h"
#include "provider/slurm_scontrol.h"
#include "util/scontrol_fields.h"
#include "run/slurm_jobs.h"
#include "run/slurm_nodes.h"

namespace {

class ScriptedClient final : public wf::run::SlurmClient {
 public:
  explicit ScriptedClient(std::string out) : out_(std::move(out)) {}
  wf::run::SlurmCall call(const std::vector<std::string>&) override { return {0, out_, ""}; }

 private:
  std::string out_;
};

class ScriptedRunner final : public wf::provider::ProgramRunner {
 public:
  explicit ScriptedRunner(std::string out) : out_(std::move(out)) {}
  wf::provider::ProgramResult run(const std::vector<std::string>&, const std::vector<std::string>&, std::string_view,
                                  const wf::provider::ProgramOptions&) override {
    wf::provider::ProgramResult r;
    r.out = out_;
    return r;
  }

 private:
  std::string out_;
};

const std::vector<std::string> kIds = {"101", "102", "103_4"};

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  wf::fuzz::quiet_diagnostics();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string text(wf::fuzz::text(data, size));
  wf::util::parse_records(text);
  ScriptedClient client(text);
  wf::fuzz::guarded([&] {
    wf::run::JobRequest request;
    request.name = "wf.run.task";
    request.script_path = "/tmp/task.sh";
    request.workdir = "/tmp";
    request.out_path = "/tmp/task.out";
    request.err_path = "/tmp/task.err";
    wf::run::submit_job(client, request);
  });
  wf::fuzz::guarded([&] { wf::run::queue_states(client, kIds); });
  wf::fuzz::guarded([&] { wf::run::accounting(client, kIds); });
  wf::fuzz::guarded([&] { wf::run::scontrol_job_ends(client, kIds); });
  wf::fuzz::guarded([&] { wf::run::partition_nodes(client, "debug"); });
  wf::fuzz::guarded([&] { wf::run::default_partition(client); });
  ScriptedRunner runner(text);
  wf::provider::Scontrol scontrol({"/usr/bin/scontrol", &runner, 60, {"PATH=/usr/bin"}});
  wf::fuzz::guarded([&] { scontrol.show("reservation", "wf-res"); });
  wf::fuzz::guarded([&] {
    for (const auto& node : scontrol.nodes()) {
      node.usable();
      node.powered_down();
    }
  });
  return 0;
}
