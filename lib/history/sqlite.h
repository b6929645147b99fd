#pragma once
// A thin RAII layer over the SQLite C API, for the files wf shares between processes (the history
// store, the provider ledger). It turns every failing call into a wf::Error naming the database
// file, with the exit code the failure deserves: "not a database" / corrupt -> 65 (data),
// busy / locked -> 75 (temp), anything else -> 74 (io). Above that it holds what every such file
// needs alike: retrying on a lock another process holds, opening in WAL mode, and migrating the
// schema under PRAGMA user_version.
#include <algorithm>
#include <cstdint>
#include <optional>
#include <random>
#include <span>
#include <string>
#include <string_view>

#include "util/clock.h"
#include "util/error.h"

struct sqlite3;
struct sqlite3_stmt;

namespace wf::history::sql {

class Db;

// A prepared statement. Bind with 1-based indexes; step() returns true while a row is available.
class Stmt {
 public:
  Stmt(Db& db, std::string_view sql);
  ~Stmt();
  Stmt(const Stmt&) = delete;
  Stmt& operator=(const Stmt&) = delete;

  void reset();  // also clears the bindings
  Stmt& bind(int i, std::string_view v);
  Stmt& bind(int i, double v);
  Stmt& bind(int i, std::int64_t v);
  Stmt& bind(int i, int v) { return bind(i, static_cast<std::int64_t>(v)); }
  Stmt& bind_null(int i);
  template <typename T>
  Stmt& bind(int i, const std::optional<T>& v) {
    return v ? bind(i, *v) : bind_null(i);
  }

  bool step();
  void run();  // step() once, expecting no row (INSERT, UPDATE, DDL)
  int changes() const;

  bool is_null(int col) const;
  std::string text(int col) const;
  double real(int col) const;
  std::int64_t integer(int col) const;
  std::optional<double> opt_real(int col) const;
  std::optional<std::int64_t> opt_integer(int col) const;

 private:
  Db& db_;
  sqlite3_stmt* stmt_ = nullptr;
};

class Db {
 public:
  // Opens (creating when `create`) the file; `path` is used in every message. ":memory:" is a
  // private in-memory database.
  Db(const std::string& path, bool create);
  ~Db();
  Db(const Db&) = delete;
  Db& operator=(const Db&) = delete;

  void exec(std::string_view sql);  // one or more statements, no results wanted
  // Ends an open transaction, ignoring errors: for unwinding, where another exception is in flight.
  void rollback() noexcept;
  std::int64_t last_insert_rowid() const;
  sqlite3* handle() const { return db_; }
  const std::string& path() const { return path_; }

  // Throws the wf::Error for result code `rc` (as returned by a failing sqlite3_* call).
  [[noreturn]] void raise(int rc, std::string_view what) const;

 private:
  std::string path_;
  sqlite3* db_ = nullptr;
};

// Thrown for SQLITE_BUSY / SQLITE_LOCKED, so that Retry (below) can tell "try again" from
// every other failure. Exit 75 if it escapes.
class Busy : public Error {
 public:
  using Error::Error;
};

// True for the result codes that mean "someone else holds the lock; try again later".
bool is_busy(int rc);

// How long a file waits for a lock that another process holds.
struct RetryPolicy {
  double lock_timeout_s;  // overall wait before giving up with exit 75
  // The longest sleep between two tries: a short one for a file whose transactions are short and
  // whose callers wait on it (the ledger), a longer one where writers are batches (the history).
  double max_backoff_s;
  std::string_view noun;  // what the give-up message says stayed locked: "database", "ledger"
};

// Runs work on `db` again while another process holds its lock. SQLite's busy_timeout waits first;
// a sql::Busy that still escapes is retried after a jittered exponential backoff (5 ms doubling to
// max_backoff_s), because processes that collided once would collide again in lockstep. Once
// lock_timeout_s has passed on the clock, throws wf::Error exit 75 naming the file and `what`.
class Retry {
 public:
  // `seed` draws the jitter; 0 derives it from the process id, since processes that collided must
  // not share it. Nothing but the timing of retries depends on it.
  Retry(Db& db, util::Clock& clock, std::uint64_t seed, RetryPolicy policy);

  // Runs f() until it gets past the lock and returns its result; any other exception passes
  // through. An open transaction is rolled back before each new try, so every try starts clean.
  template <typename F>
  auto operator()(std::string_view what, F&& f) {
    double deadline = clock_.monotonic() + policy_.lock_timeout_s;
    double backoff_s = 0.005;
    for (int tries = 1;; ++tries) {
      try {
        return f();
      } catch (const Busy&) {
        db_.rollback();
        if (clock_.monotonic() >= deadline) give_up(what, tries);
      }
      std::uniform_real_distribution<double> jitter(0.5, 1.5);
      clock_.sleep(backoff_s * jitter(rng_));
      backoff_s = std::min(backoff_s * 2, policy_.max_backoff_s);
    }
  }

  // body() inside BEGIN IMMEDIATE ... COMMIT, the whole transaction retried on a held lock; any
  // exception rolls it back. IMMEDIATE takes the write lock up front, so a transaction never fails
  // half-way on an upgrade. body may run more than once: it must reset whatever it accumulates.
  template <typename F>
  void write(std::string_view what, F&& body) {
    (*this)(what, [&] {
      db_.exec("BEGIN IMMEDIATE");
      try {
        body();
        db_.exec("COMMIT");
      } catch (...) {
        db_.rollback();
        throw;
      }
    });
  }

 private:
  [[noreturn]] void give_up(std::string_view what, int tries) const;

  Db& db_;
  util::Clock& clock_;
  std::mt19937_64 rng_;
  RetryPolicy policy_;
};

// One step of a schema: from the version the step before it left to `to_version`. Released
// migrations are never edited, only appended: files out there already went through them.
struct Migration {
  int to_version;
  std::string_view what;  // one line, for messages
  std::string_view sql;
};

// PRAGMA user_version of an open database: the schema version wf keeps there.
int user_version(Db& db);

// Brings `db` up to migrations.back().to_version inside one BEGIN IMMEDIATE transaction; the
// version is re-read under the lock, so concurrent first openers apply each migration exactly once.
// Throws wf::Error exit 65 when the file carries a newer version (an older wf must not write rows a
// newer one would misread) or has no version but holds tables (some other program's database,
// never written into). `noun` names the file in those messages: "history", "ledger". A held lock
// surfaces as sql::Busy: run it under a Retry.
void migrate(Db& db, std::span<const Migration> migrations, std::string_view noun);

// What differs between the shared files when a connection is opened.
struct OpenSteps {
  int busy_timeout_ms;            // SQLite's own wait on a held lock, per try
  std::string_view pragmas;       // after the common ones, e.g. "PRAGMA foreign_keys = ON"; or ""
  std::string_view migrate_what;  // `what` in the message when the migration gives up on the lock
  void (*migrate)(Db& db);        // brings the schema up to date: migrate() with the file's steps
};

// Readies a new connection to a file several processes share, before anything else touches it:
// busy timeout, WAL mode (readers never block the one writer), synchronous = NORMAL (in WAL mode a
// power loss may lose the last commits but never corrupts the file), then steps.pragmas and the
// migration. Setting WAL is the first statement to read the file, so a file that is not a database
// fails there (exit 65); it and the migration take a lock, hence run under `retry`.
void open_shared(Db& db, Retry& retry, const OpenSteps& steps);

}  // namespace wf::history::sql
