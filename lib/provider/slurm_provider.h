#pragma once
// `slurm`: capacity on a Slurm cluster, for `wf-run --executor slurm` (man wf-slurm(7)).
//
// Kinds (specs in slurm_sizing.h):
//   reservation  scontrol create reservation, named "wf-<ledger id>" (its provider id), with
//                flags=ignore_jobs, users = the caller unless the spec says; cores on named nodes
//                or whole nodes. Jobs use it with --reservation=<name> (wf-run reads it from the
//                provision section). Resize: whole nodes and duration are updated in place; a core
//                reservation whose cores change is deleted and created again under the same name
//                (Slurm 22.05 cannot update core counts). Remove: scontrol delete reservation.
//   node         power-saved nodes powered up ahead of the jobs (pre-warming), marked with the node
//                comment "wf:<ledger id>"; provider id "nodes/<ledger id>". Remove clears the mark
//                and powers them down (Slurm would also suspend them after SuspendTime idle).
// list(): every reservation named wf-* and every node group marked wf:*, sorted by id.
#include <memory>
#include <string>
#include <vector>

#include "provider/provider.h"
#include "provider/slurm_scontrol.h"
#include "provider/slurm_sizing.h"

namespace wf::provider {

struct SlurmProviderOptions {
  ScontrolOptions scontrol;
  std::string user;  // reservations' users= when the spec names none; empty: this process's user
};

class SlurmProvider final : public Provider {
 public:
  explicit SlurmProvider(SlurmProviderOptions options = {});
  const std::string& name() const override;
  ProviderResource create(const CreateRequest& request) override;
  std::optional<ProviderResource> describe(std::string_view id) override;
  ProviderResource resize(std::string_view id, std::string_view spec_json, std::string_view idempotency_key) override;
  Removed remove(std::string_view id, std::string_view idempotency_key) override;
  std::vector<ProviderResource> list() override;

 private:
  ProviderResource create_reservation(const std::string& name, std::string_view spec_json, const std::string& key);
  ProviderResource create_nodes(const std::string& key, std::string_view spec_json);
  std::optional<ProviderResource> describe_reservation(const std::string& name);
  std::optional<ProviderResource> describe_nodes(const std::string& key);
  ProviderResource resource_of(SlurmRecord& reservation);

  SlurmProviderOptions options_;
  Scontrol scontrol_;
};

// For the registry: "slurm" -> this.
std::unique_ptr<Provider> make_slurm_provider(SlurmProviderOptions options = {});

}  // namespace wf::provider
