#pragma once
// The inside of Store, shared by store.cc (open, writes, maintenance) and store_query.cc (reads).
#include <memory>

#include "history/sqlite.h"
#include "history/store.h"

namespace wf::history {

// The executions columns in the order read_execution() decodes them.
inline constexpr std::string_view kExecutionColumns =
    "id, run_id, workflow, task_id, category, native_id, start_s, end_s, runtime_s, cpu_time_s, "
    "peak_rss_bytes, read_bytes, write_bytes, exit_code, signal, status, attempt, "
    "mem_reserved_bytes, cpus_reserved, host, executor, source, host_runnable, host_cpus";
inline constexpr int kExecutionColumnCount = 24;

// Decodes columns [0, kExecutionColumnCount) of the current row; features are left empty.
Execution read_execution(const sql::Stmt& row);

struct Store::Impl {
  Impl(const std::string& path, const OpenOptions& options);

  // Inserts one validated row (features sorted); returns false when its key is already stored.
  bool insert(const Execution& e);

  OpenOptions options;
  util::Clock* clock;
  sql::Db db;
  // Every read and write goes through it: retry(what, f) for a read, retry.write(what, body) for a
  // transaction that is retried whole (body may run more than once, so it resets what it gathers).
  // The backoff grows to 1 s: writers here are batches (imports, whole runs), not a caller's wait.
  sql::Retry retry;
  std::unique_ptr<sql::Stmt> insert_execution;  // prepared on first use
  std::unique_ptr<sql::Stmt> insert_feature;
};

}  // namespace wf::history
