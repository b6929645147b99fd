#pragma once
// The local pool: this host's CPUs, memory and scratch disk (less a reserve), shared by every wf
// process on the host through the ledger file, so that concurrent cron-started runs never
// oversubscribe the machine.
//
// Invariant (each admission is one BEGIN IMMEDIATE transaction, so it holds across processes):
//   sum over unexpired leases + a new lease <= capacity, per resource (cpus, mem_bytes, disk_bytes)
// where capacity = what the host offers - the reserve; for disk, what the host offers is the space
// still free under the scratch root, so the check is conservative (space a lease already wrote is
// counted twice, never zero times).
//
// Order: a request waiting for room (LeaseRequest::wait_s) is queued; a request is admitted only
// when no queued request is ahead of it — higher effective priority first, then older, then
// smaller id — so a waiting request of higher priority keeps lower ones from taking capacity.
// Aging: a queued request's effective priority is its priority + floor(waited_s / aging_s), so a
// long-waiting low-priority request is eventually served however many higher-priority ones
// arrive (nothing starves); aging_s is stored with the queued row, so every process ranks the
// queue alike whatever its own configuration. A request not (yet) queued has waited 0.
// A queued request whose process died stops blocking after stale_waiter_s.
// Waiting requests poll with backoff, and are woken early when another process frees room.
//
// Expiry: a lease not renewed within its TTL (its holder died) no longer counts; wf-reap --expired
// deletes its row and scratch directory. Renewing an expired lease takes it back if there is room.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "provider/host.h"
#include "provider/ledger.h"
#include "provider/pool_signal.h"

namespace wf::provider {

inline constexpr double kDefaultAgingS = 300;

struct PoolConfig {
  std::string scratch_root;  // paths.h resolve_scratch_root(); required when a lease asks for disk
  double reserve_cpus = 0;
  std::uint64_t reserve_mem_bytes = 512ull << 20;
  std::uint64_t reserve_disk_bytes = 1ull << 30;
  double stale_waiter_s = 10;  // a queued request not seen this long no longer blocks others
  // A queued request gains one priority level per aging_s waited (unless it asks otherwise:
  // LeaseRequest::aging_s). 0: no aging.
  double aging_s = kDefaultAgingS;
  double poll_initial_s = 0.02;  // waiting: first pause, grown x1.5 (with jitter) up to poll_max_s
  double poll_max_s = 0.5;
  // Wake a waiting request as soon as another process frees room (pool_signal.h) instead of at its
  // next poll. Off: poll only (what tests on a fake clock need).
  bool wakeups = true;
};

struct LeaseRequest {
  std::string run_id;
  double cpus = 0;
  std::uint64_t mem_bytes = 0;
  std::uint64_t disk_bytes = 0;  // > 0: a scratch directory of this size is checked and created
  int priority = 0;              // higher is served first
  double ttl_s = 300;            // without renewal the lease returns to the pool after this long
  std::optional<double> wait_s;  // none: fail at once when full; else wait up to this long
  std::optional<double> aging_s;  // none: PoolConfig::aging_s; 0: this request never ages
};

// A queued request as the pool ranks it (LocalPool::queue()).
struct Waiter {
  std::string id;
  int priority = 0;
  double since_s = 0;  // when it was queued
  double aging_s = 0;
  std::int64_t effective_priority = 0;  // at the time of the listing
  double cpus = 0;
  std::uint64_t mem_bytes = 0;
  std::uint64_t disk_bytes = 0;
};

// priority + floor(waited_s / aging_s): one level per aging_s waited; the priority itself when
// aging_s is 0 or nothing was waited. The pool's SQL ranks queued rows by the same formula.
std::int64_t aged_priority(int priority, double waited_s, double aging_s);

struct Lease {
  std::string id;  // the ledger's resource id
  std::string run_id;
  double cpus = 0;
  std::uint64_t mem_bytes = 0;
  std::uint64_t disk_bytes = 0;
  int priority = 0;
  double created_s = 0;
  double heartbeat_s = 0;
  double ttl_s = 0;
  double expires_s = 0;
  std::string scratch_dir;  // empty without disk
};

struct Capacity {
  double cpus = 0;
  double mem_bytes = 0;
  double disk_bytes = 0;
};

struct PoolStatus {
  Capacity capacity;  // host - reserve
  Capacity used;      // unexpired leases
  size_t leases = 0;  // unexpired
  size_t expired = 0;
  size_t waiting = 0;  // queued requests not stale
};

class LocalPool {
 public:
  LocalPool(Ledger& ledger, PoolConfig config, HostProbe& host = real_host());

  // The lease under `key` (the ledger's resource id). Idempotent: an existing lease is returned as
  // it is. Errors (ProviderError, nothing created): exit 75 when there is no room (at once, or
  // after wait_s); 69 when the request exceeds the whole capacity; 65 (wf::Error) for a request
  // of nothing or of negative size; 73 when the scratch directory cannot be created.
  Lease take(std::string_view key, const LeaseRequest& request);
  // One admission attempt; nullopt when there is no room or a queued request is ahead. With
  // `queue` the request is queued (or its place refreshed) when not admitted.
  std::optional<Lease> try_take(std::string_view key, const LeaseRequest& request, bool queue);
  void leave_queue(std::string_view key);

  // Heartbeat: the lease (and its ledger row) expire ttl_s from now. An expired lease is taken
  // back when there is room (exit 75 when not); one that is gone or being reaped: exit 69.
  Lease renew(std::string_view key);
  // New size: shrinking always succeeds; growing needs room and no queued request ahead (75).
  Lease resize(std::string_view key, double cpus, std::uint64_t mem_bytes, std::uint64_t disk_bytes);
  // Deletes the scratch directory, then the lease. False when neither existed.
  bool drop(std::string_view key);

  std::optional<Lease> find(std::string_view key);
  std::vector<Lease> leases();  // every row, expired ones too, by id
  std::vector<Waiter> queue();  // queued requests not stale, in the order they will be served
  PoolStatus status();
  Capacity capacity() const;  // host - reserve, measured now
  const PoolConfig& config() const { return config_; }
  Ledger& ledger() { return ledger_; }

 private:
  std::string scratch_path(std::string_view key) const;

  Ledger& ledger_;
  PoolConfig config_;
  HostProbe& host_;
  PoolSignal signal_;
};

}  // namespace wf::provider
