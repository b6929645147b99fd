#pragma once
// The history schema and its migrations. The schema version is PRAGMA user_version; migration i
// takes the database from version i to i+1. Migrations only ever get appended: a released one is
// never edited, because databases out there already went through it.
#include <span>
#include <string_view>

namespace wf::history {

namespace sql {
class Db;
}

struct Migration {
  int to_version;
  std::string_view what;  // one line, for messages
  std::string_view sql;
};

std::span<const Migration> migrations();
int schema_version();  // the version this code writes: migrations().back().to_version

// Brings `db` up to schema_version(). Runs inside one BEGIN IMMEDIATE transaction and re-reads the
// version under the lock, so concurrent first openers apply each migration exactly once. Throws
// wf::Error (exit 65) when the file carries a newer version than this code knows: an older wf must
// not write rows a newer one would misread. A held lock surfaces as sql::Busy (the caller retries).
void migrate(sql::Db& db);

// PRAGMA user_version of an open database.
int user_version(sql::Db& db);

}  // namespace wf::history
