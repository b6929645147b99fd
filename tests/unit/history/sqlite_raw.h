#pragma once
// Direct SQLite access for tests that must look under (or tamper with) the store or the ledger.
#include <stdexcept>
#include <string>

#include <sqlite3.h>

namespace wf::history::testing {

class RawDb {
 public:
  explicit RawDb(const std::string& path) {
    if (sqlite3_open(path.c_str(), &db_) != SQLITE_OK) throw std::runtime_error(sqlite3_errmsg(db_));
  }
  ~RawDb() { sqlite3_close(db_); }
  RawDb(const RawDb&) = delete;
  RawDb& operator=(const RawDb&) = delete;

  void exec(const std::string& sql) {
    if (sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, nullptr) != SQLITE_OK)
      throw std::runtime_error(sqlite3_errmsg(db_));
  }
  long long integer(const std::string& sql) {
    sqlite3_stmt* q = nullptr;
    if (sqlite3_prepare_v2(db_, sql.c_str(), -1, &q, nullptr) != SQLITE_OK)
      throw std::runtime_error(sqlite3_errmsg(db_));
    long long v = sqlite3_step(q) == SQLITE_ROW ? sqlite3_column_int64(q, 0) : -1;
    sqlite3_finalize(q);
    return v;
  }
  std::string text(const std::string& sql) {
    sqlite3_stmt* q = nullptr;
    if (sqlite3_prepare_v2(db_, sql.c_str(), -1, &q, nullptr) != SQLITE_OK)
      throw std::runtime_error(sqlite3_errmsg(db_));
    std::string v;
    if (sqlite3_step(q) == SQLITE_ROW && sqlite3_column_text(q, 0))  // NULL reads as ""
      v = reinterpret_cast<const char*>(sqlite3_column_text(q, 0));
    sqlite3_finalize(q);
    return v;
  }

 private:
  sqlite3* db_ = nullptr;
};

}  // namespace wf::history::testing
