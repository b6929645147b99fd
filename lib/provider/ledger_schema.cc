#include "provider/ledger_schema.h"

#include <array>
#include <string_view>

#include "history/sqlite.h"

namespace wf::provider {
namespace {

namespace sql = history::sql;

// Version 1. Text columns default to '' (never NULL) so equality tests need no IS NULL cases.
// expires_s is max(created_s, heartbeat_s) + ttl_s, kept in the row so expiry is an index range.
constexpr std::string_view kV1 = R"sql(
CREATE TABLE resources (
  id          TEXT PRIMARY KEY,
  provider    TEXT NOT NULL,
  kind        TEXT NOT NULL,
  spec        TEXT NOT NULL DEFAULT '{}',
  provider_id TEXT NOT NULL DEFAULT '',
  run_id      TEXT NOT NULL DEFAULT '',
  created_s   REAL NOT NULL,
  ttl_s       REAL CHECK (ttl_s IS NULL OR ttl_s > 0),
  heartbeat_s REAL,
  expires_s   REAL,
  state       TEXT NOT NULL CHECK (state IN
                ('intent','creating','active','releasing','released','failed','orphaned')),
  error       TEXT NOT NULL DEFAULT '',
  detail      TEXT NOT NULL DEFAULT '{}',
  claim       TEXT NOT NULL DEFAULT '',
  claimed_s   REAL,
  updated_s   REAL NOT NULL
);
CREATE INDEX resources_run ON resources (run_id);
CREATE INDEX resources_state ON resources (state, expires_s);
CREATE INDEX resources_provider_id ON resources (provider, provider_id);
CREATE TABLE leases (
  id          TEXT PRIMARY KEY,
  run_id      TEXT NOT NULL DEFAULT '',
  cpus        REAL NOT NULL CHECK (cpus >= 0),
  mem_bytes   INTEGER NOT NULL CHECK (mem_bytes >= 0),
  disk_bytes  INTEGER NOT NULL CHECK (disk_bytes >= 0),
  priority    INTEGER NOT NULL DEFAULT 0,
  created_s   REAL NOT NULL,
  heartbeat_s REAL NOT NULL,
  ttl_s       REAL NOT NULL CHECK (ttl_s > 0),
  expires_s   REAL NOT NULL,
  scratch_dir TEXT NOT NULL DEFAULT ''
);
CREATE INDEX leases_expires ON leases (expires_s);
CREATE TABLE lease_waiters (
  id          TEXT PRIMARY KEY,
  priority    INTEGER NOT NULL,
  since_s     REAL NOT NULL,
  seen_s      REAL NOT NULL,
  cpus        REAL NOT NULL,
  mem_bytes   INTEGER NOT NULL,
  disk_bytes  INTEGER NOT NULL
);
)sql";

// Version 2: a queued lease request ages at its own rate (local_pool.h), kept with it so every
// process ranks the queue alike. Rows queued before it never age (0).
constexpr std::string_view kV2 = R"sql(
ALTER TABLE lease_waiters ADD COLUMN aging_s REAL NOT NULL DEFAULT 0 CHECK (aging_s >= 0);
)sql";

constexpr std::array<sql::Migration, 2> kMigrations{{
    {1, "resources, leases and lease_waiters tables", kV1},
    {2, "lease_waiters.aging_s", kV2},
}};

}  // namespace

int ledger_schema_version() { return kMigrations.back().to_version; }

void migrate_ledger(sql::Db& db) { sql::migrate(db, kMigrations, "ledger"); }

}  // namespace wf::provider
