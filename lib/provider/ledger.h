#pragma once
// The ledger: every resource any provider created, in one SQLite file beside the history
// (paths.h), so that a crash at any instant leaves every resource findable by wf-reap.
//
// The protocol every creator follows (provision.h does it for you):
//   record_intent   before anything: a row in state `intent` (nothing exists yet)
//   mark_creating   just before the provider call; false means a reaper claimed the row: do not call
//   record_created  after the call: the provider's id, state `active`
//   record_failed   after a failed call that may have left something behind (state `failed`)
//   record_not_created  after a failed call that certainly left nothing (state `released`)
// The provider is always called with the row's id as idempotency key, so the reaper can find by
// key (the provider's list()) what a creator that died mid-call never recorded.
//
// Concurrency: many processes (cron-started tools, several reapers) share the file. WAL mode; every
// write is one BEGIN IMMEDIATE transaction; a held lock is waited for (busy_timeout), then retried
// with jittered backoff until lock_timeout_s, then wf::Error exit 75. A Ledger is one connection:
// use it from one thread at a time.
//
// Errors: not a ledger / corrupt / newer schema -> 65; missing file with create=false -> 66;
// cannot create -> 73; other I/O -> 74; lock not had in time -> 75.
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "provider/resource.h"
#include "util/clock.h"

namespace wf::history::sql {
class Db;
}

namespace wf::provider {

struct LedgerOptions {
  bool create = true;            // create the file (0600) and its directories (0700) when missing
  util::Clock* clock = nullptr;  // timestamps, backoff sleeps, the lock deadline; null: the real clock
  int busy_timeout_ms = 1000;    // SQLite's own wait on a held lock, per try
  double lock_timeout_s = 60;    // overall wait before giving up with exit 75
  std::uint64_t jitter_seed = 0;  // 0: from the process id (colliding processes must not share it)
};

// A run id names a directory (wf-run's run directory) and is written into scripts and plugin
// requests, so the ledger records only this alphabet: letters, digits and ._:@+=,-, not beginning
// with . or -, no "..", 1 to 200 characters. Intents with another (non-empty) run id: exit 65.
bool is_run_id(std::string_view id);

// What a creator is about to ask of a provider.
struct Intent {
  std::string provider;
  std::string kind;
  std::string spec_json = "{}";
  std::string run_id;
  std::optional<double> ttl_s;
  std::string id;  // empty: a fresh res-<hex> id is chosen
};

// A row a reaper claimed, with the state it had before (intent rows were never created).
struct Claimed {
  Resource resource;
  State previous = State::active;
};

class Ledger {
 public:
  static Ledger open(const std::string& path, const LedgerOptions& options = {});
  ~Ledger();
  Ledger(Ledger&&) noexcept;
  Ledger& operator=(Ledger&&) noexcept;

  const std::string& path() const;
  util::Clock& clock() const;

  // Inserts the rows in state `intent`, all in one transaction; returns their ids in order.
  // Exit 65 for an unknown kind, an empty provider, a spec that is not a JSON object, a bad TTL.
  std::vector<std::string> record_intents(std::span<const Intent> intents);
  std::string record_intent(const Intent& intent);
  bool mark_creating(std::string_view id);
  // creating -> active with the provider's id and report. When the row is no longer `creating` (a
  // reaper claimed it meanwhile) the id is still stored, the row becomes `failed` ("claimed while
  // being created") so that it stays findable, and false is returned: the caller deletes it.
  bool record_created(std::string_view id, std::string_view provider_id, std::string_view detail_json);
  void record_failed(std::string_view id, std::string_view error, std::string_view provider_id = {});
  void record_not_created(std::string_view id, std::string_view error);
  // A resize the provider carried out: the new spec and report.
  void record_resized(std::string_view id, std::string_view spec_json, std::string_view detail_json);
  // Renews live rows (heartbeat = now, expiry moves); returns how many were renewed.
  size_t heartbeat(std::span<const std::string> ids);

  std::optional<Resource> get(std::string_view id);
  std::vector<Resource> all();                            // by id
  std::vector<Resource> live();                           // every row not released, by id
  std::vector<Resource> of_run(std::string_view run_id);  // live rows of a run, by id
  std::vector<Resource> expired();                        // live rows whose expiry is past, by id
  std::vector<std::string> providers();                   // distinct provider names, sorted
  // Whether a live row of `provider` has this provider id or this id (the idempotency key).
  bool holds(std::string_view provider, std::string_view provider_id, std::string_view key);

  // Claims rows for release, in one transaction: those live and not being released, and those
  // whose claim is older than stale_claim_s or whose holder is known to be gone
  // (claim_holder_gone: a reaper on this machine that died). Rows claimed by a live reaper,
  // released rows and unknown ids are left out. Returns the claimed rows, by id.
  std::vector<Claimed> claim(std::span<const std::string> ids, std::string_view claim_id, double stale_claim_s);
  // releasing -> released / failed, only while the claim is still ours; false when it is not.
  bool finish_release(std::string_view id, std::string_view claim_id, std::string_view note = {});
  bool fail_release(std::string_view id, std::string_view claim_id, std::string_view error);
  // A resource a provider listed that the ledger did not hold: recorded as `orphaned`, no owner.
  std::string record_orphan(std::string_view provider, std::string_view kind, std::string_view provider_id,
                            std::string_view detail_json);

  // PRAGMA integrity_check: the problems found, empty when the file is sound.
  std::vector<std::string> check();

  // One BEGIN IMMEDIATE transaction, retried whole on a held lock (so `body` must not keep effects
  // outside the database between tries). `now` is the clock's wall time at the start of the try.
  void write(std::string_view what, const std::function<void(history::sql::Db& db, double now)>& body);
  // A read, retried on a held lock.
  void read(std::string_view what, const std::function<void(history::sql::Db& db)>& body);

  struct Impl;

 private:
  explicit Ledger(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace wf::provider
