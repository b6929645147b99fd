#pragma once
// The history schema and its migrations. The schema version is PRAGMA user_version; migration i
// takes the database from version i to i+1. Migrations only ever get appended: a released one is
// never edited, because databases out there already went through it.
#include <span>

#include "history/sqlite.h"

namespace wf::history {

using sql::Migration;

std::span<const Migration> migrations();
int schema_version();  // the version this code writes: migrations().back().to_version

// Brings `db` up to schema_version(): sql::migrate() under the name "history". Runs inside one
// BEGIN IMMEDIATE transaction, so concurrent first openers apply each migration exactly once.
// Throws wf::Error (exit 65) when the file carries a newer version than this code knows, or is
// some other program's database. A held lock surfaces as sql::Busy (the caller retries).
void migrate(sql::Db& db);

}  // namespace wf::history
