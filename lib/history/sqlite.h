#pragma once
// A thin RAII layer over the SQLite C API, private to the history module. It turns every failing
// call into a wf::Error naming the database file, with the exit code the failure deserves:
// "not a database" / corrupt -> 65 (data), busy / locked -> 75 (temp), anything else -> 74 (io).
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

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

// Thrown for SQLITE_BUSY / SQLITE_LOCKED, so the store's retry loop can tell "try again" from
// every other failure. Exit 75 if it escapes.
class Busy : public Error {
 public:
  using Error::Error;
};

// True for the result codes that mean "someone else holds the lock; try again later".
bool is_busy(int rc);

}  // namespace wf::history::sql
