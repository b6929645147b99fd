#pragma once
// `local`: the local pool (local_pool.h) as a Provider, so that leases go through the same ledger
// protocol, reaper and orphan search as every other resource.
//
// Kinds and specs (JSON objects; sizes in base units, or strings such as "2GiB"):
//   lease    {"cpus": 2, "mem_bytes": 4294967296, "disk_bytes": 0, "priority": 0, "wait_s": 30, "aging_s": 300}
//   scratch  {"disk_bytes": 10737418240, "priority": 0, "wait_s": 30}   (a lease of disk only)
// aging_s is optional (the pool's default; local_pool.h).
// The request's TTL is required: it is the lease's. Provider ids are the idempotency keys (the
// ledger ids), so what a creator that died mid-call took is found by key.
// list(): every lease row, and every scratch directory under the root that has no lease row.
#include "provider/local_pool.h"
#include "provider/provider.h"
#include "provider/provision.h"

namespace wf::provider {

// The lease request a spec describes; wf::Error exit 65 naming the key for a malformed spec.
LeaseRequest lease_request(std::string_view kind, std::string_view spec_json);
// The spec text of a lease request (the inverse, wait_s, aging_s and priority included).
std::string lease_spec(const LeaseRequest& request, std::string_view kind = "lease");
// A lease as a provider report: {"cpus":..,"mem_bytes":..,"disk_bytes":..,"priority":..,"ttl_s":..,
// "expires_s":..,"scratch_dir":..}.
std::string lease_json(const Lease& lease);

class LocalProvider final : public Provider {
 public:
  explicit LocalProvider(LocalPool& pool) : pool_(pool) {}
  const std::string& name() const override;
  ProviderResource create(const CreateRequest& request) override;
  std::optional<ProviderResource> describe(std::string_view id) override;
  ProviderResource resize(std::string_view id, std::string_view spec_json, std::string_view idempotency_key) override;
  Removed remove(std::string_view id, std::string_view idempotency_key) override;
  std::vector<ProviderResource> list() override;

  LocalPool& pool() { return pool_; }

 private:
  LocalPool& pool_;
};

// The lease API for wf-provision and wf-run: local leases recorded in the ledger like every
// resource (provider "local", kind lease, or scratch when only disk is asked for).
//   acquire_lease  ledger row first, then the pool (waiting per request.wait_s); the lease's id is
//                  the ledger id. Errors as LocalPool::take; the row is then closed (nothing taken).
//   renew_lease    heartbeat, to call every ttl_s / 3 or so while the lease is used (LocalPool::renew)
//   release_lease  scratch directory and lease gone, the row released; already_gone when it was
Lease acquire_lease(LocalProvider& local, const LeaseRequest& request);
Lease renew_lease(LocalProvider& local, std::string_view id);
Release release_lease(LocalProvider& local, std::string_view id);

}  // namespace wf::provider
