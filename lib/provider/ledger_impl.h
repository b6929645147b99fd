#pragma once
// The inside of Ledger, shared by ledger.cc (open, writes) and ledger_query.cc (reads, claims).
#include <initializer_list>

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

  // One UPDATE in its own transaction: ?1 is bound to the clock's wall time, ?2... to `params`.
  // Returns the number of rows changed.
  int update(std::string_view what, std::string_view statement, std::initializer_list<std::string_view> params) {
    int changed = 0;
    retry.write(what, [&] {
      sql::Stmt q(db, statement);
      q.bind(1, clock->wall());
      int i = 2;
      for (std::string_view p : params) q.bind(i++, p.data() ? p : std::string_view(""));  // never NULL
      q.run();
      changed = q.changes();
    });
    return changed;
  }

  LedgerOptions options;
  util::Clock* clock;
  sql::Db db;
  // Every read and write goes through it: retry(what, f) for a read, retry.write(what, body) for a
  // transaction that is retried whole. The backoff stops growing at 0.5 s: ledger transactions are
  // short and a provisioning or pool caller is waiting on each.
  sql::Retry retry;
};

}  // namespace wf::provider
