#include "provider/registry.h"

#include <cstdlib>

#include "util/strings.h"

namespace wf::provider {

Providers::Providers(Ledger& ledger, ProviderConfig config)
    : ledger_(ledger), config_(std::move(config)), pool_(ledger, config_.pool, config_.host ? *config_.host : real_host()) {}

void Providers::add(std::unique_ptr<Provider> provider) {
  std::string name = provider->name();
  by_name_[name] = std::move(provider);
}

Provider& Providers::get(const std::string& asked) {
  std::string name = asked;
  if (auto alias = aliases_.find(asked); alias != aliases_.end()) name = alias->second;
  if (auto it = by_name_.find(name); it != by_name_.end()) return *it->second;
  if (name == "local") {
    add(std::make_unique<LocalProvider>(pool_));
    return *by_name_.at(name);
  }
  if (name == "slurm") {
    add(make_slurm_provider(config_.slurm));
    return *by_name_.at(name);
  }
  if (util::starts_with(name, "exec:")) {
    const char* path = std::getenv("PATH");
    std::string program = resolve_program(name.substr(5), path ? path : "");
    std::string canonical = "exec:" + program;
    aliases_[asked] = canonical;
    if (auto it = by_name_.find(canonical); it != by_name_.end()) return *it->second;
    add(std::make_unique<ExecProvider>(program, config_.exec));
    return *by_name_.at(canonical);
  }
  throw ProviderError(ProviderError::Kind::unavailable, "unknown_provider",
                      fmt::format("unknown provider '{}' (known: local, slurm, exec:PROGRAM)", asked));
}

}  // namespace wf::provider
