#pragma once
// The ledger schema and its migrations (PRAGMA user_version; migration i takes version i to i+1;
// released migrations are never edited, only appended).
//
//   resources      every resource any provider created, with owner run, TTL and state (resource.h)
//   leases         the local pool: capacity held on this host, one row per lease
//   lease_waiters  requests waiting for the local pool, so higher (aged) priority is served first
namespace wf::history::sql {
class Db;
}

namespace wf::provider {

int ledger_schema_version();

// Brings the database up to ledger_schema_version() inside one BEGIN IMMEDIATE transaction (the
// version is re-read under the lock, so concurrent first openers migrate once). Exit 65 when the
// file carries a newer version, or is some other program's database.
void migrate_ledger(history::sql::Db& db);

}  // namespace wf::provider
