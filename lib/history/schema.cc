#include "history/schema.h"

#include <array>

namespace wf::history {
namespace {

// Version 1. One row per task attempt; features in a child table so that they are queryable and
// need no JSON on either side. The unique key makes every import idempotent; '' (never NULL) in
// its text columns, because NULLs are all distinct in a UNIQUE index.
constexpr std::string_view kV1 = R"sql(
CREATE TABLE executions (
  id                 INTEGER PRIMARY KEY,
  run_id             TEXT    NOT NULL,
  workflow           TEXT    NOT NULL,
  task_id            TEXT    NOT NULL,
  category           TEXT    NOT NULL,
  native_id          TEXT    NOT NULL DEFAULT '',
  start_s            REAL,
  end_s              REAL,
  runtime_s          REAL,
  cpu_time_s         REAL,
  peak_rss_bytes     INTEGER,
  read_bytes         INTEGER,
  write_bytes        INTEGER,
  exit_code          INTEGER,
  signal             INTEGER NOT NULL DEFAULT 0,
  status             TEXT    NOT NULL CHECK (status IN
                       ('succeeded','failed','timeout','oom','interrupted','cancelled')),
  attempt            INTEGER NOT NULL CHECK (attempt >= 1),
  mem_reserved_bytes INTEGER,
  cpus_reserved      REAL,
  host               TEXT    NOT NULL DEFAULT '',
  executor           TEXT    NOT NULL,
  source             TEXT    NOT NULL DEFAULT ''
);
CREATE UNIQUE INDEX executions_key ON executions (source, run_id, task_id, attempt, native_id);
CREATE INDEX executions_category_end ON executions (category, end_s);
CREATE INDEX executions_end ON executions (end_s);
CREATE INDEX executions_run ON executions (run_id);
CREATE TABLE features (
  execution_id INTEGER NOT NULL REFERENCES executions (id) ON DELETE CASCADE,
  name         TEXT    NOT NULL,
  value        REAL    NOT NULL,
  PRIMARY KEY (execution_id, name)
) WITHOUT ROWID;
)sql";

// What the host's CPUs were doing while an attempt ran (wf-run's local executor samples it):
// the mean number of runnable threads on the whole host, and its online CPUs. NULL when unknown
// (imports, Slurm, attempts recorded before version 2).
constexpr std::string_view kV2 = R"sql(
ALTER TABLE executions ADD COLUMN host_runnable REAL CHECK (host_runnable >= 0);
ALTER TABLE executions ADD COLUMN host_cpus     REAL CHECK (host_cpus > 0);
CREATE INDEX executions_loaded_host_end ON executions (host, end_s) WHERE host_runnable IS NOT NULL;
)sql";

constexpr std::array<Migration, 2> kMigrations{{
    {1, "executions and features tables", kV1},
    {2, "executions.host_runnable and host_cpus", kV2},
}};

}  // namespace

std::span<const Migration> migrations() { return kMigrations; }

int schema_version() { return kMigrations.back().to_version; }

void migrate(sql::Db& db) { sql::migrate(db, kMigrations, "history"); }

}  // namespace wf::history
