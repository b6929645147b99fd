#pragma once
// The providers a tool uses, by name as the ledger records them: "local", "slurm",
// "exec:/path/program".
// One instance per name, made on first use.
#include <map>
#include <memory>
#include <string>

#include "provider/exec_provider.h"
#include "provider/local_provider.h"
#include "provider/slurm_provider.h"

namespace wf::provider {

struct ProviderConfig {
  PoolConfig pool;           // local
  HostProbe* host = nullptr;  // local; null: real_host()
  ExecOptions exec;          // exec:PROGRAM
  SlurmProviderOptions slurm;  // slurm
};

class Providers {
 public:
  Providers(Ledger& ledger, ProviderConfig config);

  // "local"; "slurm"; "exec:PROGRAM", PROGRAM as given when it holds a '/', else found on PATH
  // (then named by its absolute path: ask with either name, get the same provider). ProviderError
  // unavailable (exit 69) for a name no provider answers to, or a plugin that cannot be found.
  Provider& get(const std::string& name);
  // Registers a provider under its name (a fake in tests; replaces one of the same name).
  void add(std::unique_ptr<Provider> provider);

  LocalPool& pool() { return pool_; }
  Ledger& ledger() { return ledger_; }

 private:
  Ledger& ledger_;
  ProviderConfig config_;
  LocalPool pool_;
  std::map<std::string, std::unique_ptr<Provider>> by_name_;
  std::map<std::string, std::string> aliases_;  // as asked -> canonical name
};

}  // namespace wf::provider
