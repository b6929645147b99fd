#include "history/sqlite.h"

#include <sqlite3.h>
#include <unistd.h>

namespace wf::history::sql {

bool is_busy(int rc) {
  int primary = rc & 0xff;
  return primary == SQLITE_BUSY || primary == SQLITE_LOCKED;
}

Db::Db(const std::string& path, bool create) : path_(path) {
  int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX | (create ? SQLITE_OPEN_CREATE : 0);
  int rc = sqlite3_open_v2(path.c_str(), &db_, flags, nullptr);
  if (rc != SQLITE_OK) {
    // The handle is allocated even on failure and carries the message; raise() reads it.
    try {
      raise(rc, "cannot open");
    } catch (...) {
      sqlite3_close(db_);
      db_ = nullptr;
      throw;
    }
  }
  sqlite3_extended_result_codes(db_, 1);
}

Db::~Db() { sqlite3_close_v2(db_); }

void Db::raise(int rc, std::string_view what) const {
  std::string detail = db_ ? sqlite3_errmsg(db_) : sqlite3_errstr(rc);
  int primary = rc & 0xff;
  if (is_busy(rc))
    throw Busy(util::Exit::temp, fmt::format("{}: {}: database is locked by another process ({})",
                                             path_, what, detail));
  if (primary == SQLITE_NOTADB)
    fail(util::Exit::data, "{}: not an SQLite database (or encrypted): {}", path_, detail);
  if (primary == SQLITE_CORRUPT)
    fail(util::Exit::data, "{}: the database is corrupt: {}", path_, detail);
  if (primary == SQLITE_CONSTRAINT || primary == SQLITE_MISMATCH || primary == SQLITE_RANGE)
    fail(util::Exit::data, "{}: {}: {}", path_, what, detail);
  fail(util::Exit::io, "{}: {}: {}", path_, what, detail);
}

void Db::exec(std::string_view sql) {
  std::string text(sql);
  char* message = nullptr;
  int rc = sqlite3_exec(db_, text.c_str(), nullptr, nullptr, &message);
  sqlite3_free(message);  // sqlite3_errmsg() still holds it for raise()
  if (rc != SQLITE_OK) raise(rc, "cannot execute");
}

void Db::rollback() noexcept {
  if (!sqlite3_get_autocommit(db_)) sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
}

std::int64_t Db::last_insert_rowid() const { return sqlite3_last_insert_rowid(db_); }

Stmt::Stmt(Db& db, std::string_view sql) : db_(db) {
  int rc = sqlite3_prepare_v2(db.handle(), sql.data(), static_cast<int>(sql.size()), &stmt_, nullptr);
  if (rc != SQLITE_OK) db_.raise(rc, "cannot prepare a query");
}

Stmt::~Stmt() { sqlite3_finalize(stmt_); }

void Stmt::reset() {
  sqlite3_reset(stmt_);
  sqlite3_clear_bindings(stmt_);
}

Stmt& Stmt::bind(int i, std::string_view v) {
  // A default-constructed view has no data: SQLite would bind NULL, not the empty text it is.
  int rc = sqlite3_bind_text(stmt_, i, v.data() ? v.data() : "", static_cast<int>(v.size()), SQLITE_TRANSIENT);
  if (rc != SQLITE_OK) db_.raise(rc, "cannot bind a value");
  return *this;
}

Stmt& Stmt::bind(int i, double v) {
  int rc = sqlite3_bind_double(stmt_, i, v);
  if (rc != SQLITE_OK) db_.raise(rc, "cannot bind a value");
  return *this;
}

Stmt& Stmt::bind(int i, std::int64_t v) {
  int rc = sqlite3_bind_int64(stmt_, i, v);
  if (rc != SQLITE_OK) db_.raise(rc, "cannot bind a value");
  return *this;
}

Stmt& Stmt::bind_null(int i) {
  int rc = sqlite3_bind_null(stmt_, i);
  if (rc != SQLITE_OK) db_.raise(rc, "cannot bind a value");
  return *this;
}

bool Stmt::step() {
  int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  sqlite3_reset(stmt_);
  db_.raise(rc, "query failed");
}

void Stmt::run() {
  while (step()) {
  }
}

int Stmt::changes() const { return sqlite3_changes(db_.handle()); }

bool Stmt::is_null(int col) const { return sqlite3_column_type(stmt_, col) == SQLITE_NULL; }

std::string Stmt::text(int col) const {
  const unsigned char* p = sqlite3_column_text(stmt_, col);
  int n = sqlite3_column_bytes(stmt_, col);
  return p ? std::string(reinterpret_cast<const char*>(p), static_cast<size_t>(n)) : std::string();
}

double Stmt::real(int col) const { return sqlite3_column_double(stmt_, col); }

std::int64_t Stmt::integer(int col) const { return sqlite3_column_int64(stmt_, col); }

std::optional<double> Stmt::opt_real(int col) const {
  if (is_null(col)) return std::nullopt;
  return real(col);
}

std::optional<std::int64_t> Stmt::opt_integer(int col) const {
  if (is_null(col)) return std::nullopt;
  return integer(col);
}

Retry::Retry(Db& db, util::Clock& clock, std::uint64_t seed, RetryPolicy policy)
    : db_(db),
      clock_(clock),
      rng_(seed != 0 ? seed : 0x9E3779B97F4A7C15ULL ^ static_cast<std::uint64_t>(getpid())),
      policy_(policy) {}

void Retry::give_up(std::string_view what, int tries) const {
  fail(util::Exit::temp, "{}: {}: the {} stayed locked by another process for {}s ({} tries); try again later",
       db_.path(), what, policy_.noun, policy_.lock_timeout_s, tries);
}

int user_version(Db& db) {
  Stmt q(db, "PRAGMA user_version");
  q.step();
  return static_cast<int>(q.integer(0));
}

namespace {

void check_not_newer(Db& db, int version, int newest, std::string_view noun) {
  if (version > newest)
    fail(util::Exit::data, "{}: {} schema version {} is newer than this wf understands (up to {}): upgrade wf",
         db.path(), noun, version, newest);
}

// Version 0 is a new file, or some other program's database: never write into the latter.
void check_empty(Db& db, std::string_view noun) {
  Stmt q(db, "SELECT COUNT(*) FROM sqlite_master");
  q.step();
  if (q.integer(0) > 0)
    fail(util::Exit::data, "{}: an SQLite database, but not a wf {} (no schema version, {} objects)", db.path(),
         noun, q.integer(0));
}

}  // namespace

void migrate(Db& db, std::span<const Migration> migrations, std::string_view noun) {
  int newest = migrations.back().to_version;
  int version = user_version(db);
  check_not_newer(db, version, newest, noun);
  if (version == newest) return;
  db.exec("BEGIN IMMEDIATE");
  try {
    version = user_version(db);  // another process may have migrated meanwhile
    check_not_newer(db, version, newest, noun);
    if (version == 0) check_empty(db, noun);
    for (const Migration& m : migrations) {
      if (m.to_version <= version) continue;
      db.exec(m.sql);
      db.exec(fmt::format("PRAGMA user_version = {}", m.to_version));
    }
    db.exec("COMMIT");
  } catch (...) {
    db.rollback();
    throw;
  }
}

void open_shared(Db& db, Retry& retry, const OpenSteps& steps) {
  sqlite3_busy_timeout(db.handle(), steps.busy_timeout_ms);
  retry("cannot set WAL mode", [&] { db.exec("PRAGMA journal_mode = WAL"); });
  db.exec("PRAGMA synchronous = NORMAL");
  if (!steps.pragmas.empty()) db.exec(steps.pragmas);
  retry(steps.migrate_what, [&] { steps.migrate(db); });
}

}  // namespace wf::history::sql
