#pragma once
// The inside of Ledger, shared by ledger.cc (open, writes) and ledger_query.cc (reads, claims).
#include <algorithm>
#include <initializer_list>
#include <random>

#include "history/sqlite.h"
#include "provider/ledger.h"

namespace wf::provider {

namespace sql = history::sql;

// The resources columns in the order read_resource() decodes them.
inline constexpr std::string_view kResourceColumns =
    "id, provider, kind, spec, provider_id, run_id, created_s, ttl_s, heartbeat_s, state, error, detail, claim, "
    "claimed_s, updated_s";

Resource read_resource(const sql::Stmt& row);

struct Ledger::Impl {
  Impl(const std::string& path, const LedgerOptions& options);

  // Runs f(), retrying on sql::Busy with jittered exponential backoff (5 ms doubling to 0.5 s)
  // until options.lock_timeout_s has passed; then wf::Error exit 75 naming the file and `what`.
  template <typename F>
  auto retry(std::string_view what, F&& f) {
    double deadline = clock->monotonic() + options.lock_timeout_s;
    double backoff_s = 0.005;
    for (int tries = 1;; ++tries) {
      try {
        return f();
      } catch (const sql::Busy&) {
        db.rollback();
        if (clock->monotonic() >= deadline) give_up(what, tries);
      }
      std::uniform_real_distribution<double> jitter(0.5, 1.5);
      clock->sleep(backoff_s * jitter(rng));
      backoff_s = std::min(backoff_s * 2, 0.5);
    }
  }

  // body() inside BEGIN IMMEDIATE ... COMMIT, the whole transaction retried on a held lock.
  template <typename F>
  void write(std::string_view what, F&& body) {
    retry(what, [&] {
      db.exec("BEGIN IMMEDIATE");
      try {
        body();
        db.exec("COMMIT");
      } catch (...) {
        db.rollback();
        throw;
      }
    });
  }

  // One UPDATE in its own transaction: ?1 is bound to the clock's wall time, ?2... to `params`.
  // Returns the number of rows changed.
  int update(std::string_view what, std::string_view statement, std::initializer_list<std::string_view> params) {
    int changed = 0;
    write(what, [&] {
      sql::Stmt q(db, statement);
      q.bind(1, clock->wall());
      int i = 2;
      for (std::string_view p : params) q.bind(i++, p.data() ? p : std::string_view(""));  // never NULL
      q.run();
      changed = q.changes();
    });
    return changed;
  }

  [[noreturn]] void give_up(std::string_view what, int tries) const;

  LedgerOptions options;
  util::Clock* clock;
  std::mt19937_64 rng;
  sql::Db db;
};

}  // namespace wf::provider
