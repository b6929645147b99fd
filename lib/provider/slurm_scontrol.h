#pragma once
// The slurm provider's access to the cluster: scontrol, run through the ProgramRunner seam (no
// shell), and its one-line records. (The Slurm executor has its own client, run/slurm_client.h:
// the run module does not link this one.)
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "provider/subprocess.h"
#include "util/scontrol_fields.h"

namespace wf::provider {

// "scontrol --oneliner show ..." records (util/scontrol_fields.h).
using SlurmRecord = util::SlurmFields;

struct SlurmNodeInfo {
  std::string name;
  int cpus = 0;
  uint64_t mem_bytes = 0;
  std::string state;  // e.g. IDLE+CLOUD+POWERED_DOWN
  std::vector<std::string> partitions;
  std::string comment;  // wf marks the nodes it powers up: "wf:<ledger id>"

  bool has(std::string_view flag) const;
  bool powered_down() const;  // off, no power-up asked for
  bool powering() const;      // powering up or down
  bool usable() const;        // not down, drained or failing
};

struct ScontrolOptions {
  std::string program = "scontrol";      // looked up on the environment's PATH unless it holds a '/'
  ProgramRunner* runner = nullptr;       // null: real_runner()
  double timeout_s = 60;
  std::vector<std::string> environment;  // scontrol's whole environment; empty: this process's
};

class Scontrol {
 public:
  explicit Scontrol(ScontrolOptions options);
  // scontrol ARGS...; ProviderError unavailable when scontrol is missing, hangs or is killed.
  ProgramResult run(const std::vector<std::string>& args);
  // Runs and throws ProviderError (permanent, code "scontrol") naming `what` on a non-zero exit.
  void must(const std::vector<std::string>& args, std::string_view what);
  // --oneliner show WHAT [NAME]: one record per line; empty when NAME is not found.
  std::vector<SlurmRecord> show(std::string_view what, std::string_view name = {});
  std::vector<SlurmNodeInfo> nodes();

 private:
  ScontrolOptions options_;
  std::string program_;
};

}  // namespace wf::provider
