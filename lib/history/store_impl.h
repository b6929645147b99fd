#pragma once
// The inside of Store, shared by store.cc (open, writes, maintenance) and store_query.cc (reads).
#include <algorithm>
#include <memory>
#include <random>

#include "history/sqlite.h"
#include "history/store.h"

namespace wf::history {

// The executions columns in the order read_execution() decodes them.
inline constexpr std::string_view kExecutionColumns =
    "id, run_id, workflow, task_id, category, native_id, start_s, end_s, runtime_s, cpu_time_s, "
    "peak_rss_bytes, read_bytes, write_bytes, exit_code, signal, status, attempt, "
    "mem_reserved_bytes, cpus_reserved, host, executor, source";
inline constexpr int kExecutionColumnCount = 22;

// Decodes columns [0, kExecutionColumnCount) of the current row; features are left empty.
Execution read_execution(const sql::Stmt& row);

struct Store::Impl {
  Impl(const std::string& path, const OpenOptions& options);

  // Runs f(), retrying on sql::Busy with jittered exponential backoff (5 ms doubling to 1 s) until
  // options.lock_timeout_s has passed; then throws wf::Error exit 75 naming the file and `what`.
  template <typename F>
  auto retry(std::string_view what, F&& f) {
    double deadline = clock->monotonic() + options.lock_timeout_s;
    double backoff_s = 0.005;
    for (int tries = 1;; ++tries) {
      try {
        return f();
      } catch (const sql::Busy&) {
        db.rollback();
        if (clock->monotonic() >= deadline) give_up(what, tries);
      }
      std::uniform_real_distribution<double> jitter(0.5, 1.5);
      clock->sleep(backoff_s * jitter(rng));
      backoff_s = std::min(backoff_s * 2, 1.0);
    }
  }

  // body() inside BEGIN IMMEDIATE ... COMMIT, the whole transaction retried on a held lock. body
  // may run more than once, so it must reset whatever it accumulates.
  template <typename F>
  void write(std::string_view what, F&& body) {
    retry(what, [&] {
      db.exec("BEGIN IMMEDIATE");
      try {
        body();
        db.exec("COMMIT");
      } catch (...) {
        db.rollback();
        throw;
      }
    });
  }

  // Inserts one validated row (features sorted); returns false when its key is already stored.
  bool insert(const Execution& e);

  [[noreturn]] void give_up(std::string_view what, int tries) const;

  OpenOptions options;
  util::Clock* clock;
  std::mt19937_64 rng;
  sql::Db db;
  std::unique_ptr<sql::Stmt> insert_execution;  // prepared on first use
  std::unique_ptr<sql::Stmt> insert_feature;
};

}  // namespace wf::history
