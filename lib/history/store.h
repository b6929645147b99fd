#pragma once
// The history store: every task attempt ever measured, in one SQLite file (WAL mode), written by
// many processes at once (cron-started wf-run, imports) and read by the predictor.
//
// Concurrency contract: every write is one BEGIN IMMEDIATE transaction. SQLite's busy_timeout
// waits on a held lock; beyond it the store retries with jittered exponential backoff until
// lock_timeout_s has passed, then throws wf::Error exit 75 (temporary). No row is ever lost or
// written twice: a batch commits whole or not at all, and a row whose key
// (source, run_id, task_id, attempt, native_id) is already stored is counted as present, not
// inserted again.
//
// A Store is one SQLite connection: use it from one thread at a time (open one per thread).
//
// Errors (wf::Error, one line naming the file): not an SQLite database / corrupt -> 65; schema
// version newer than this code -> 65; missing file with create=false -> 66; cannot create -> 73;
// other I/O -> 74; lock not obtained in time -> 75; home directory unknown (paths.h) -> 78.
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "history/execution.h"
#include "history/stats.h"
#include "util/clock.h"
#include "util/error.h"

namespace wf::history {

struct OpenOptions {
  bool create = true;           // create the file (0600) and its directories (0700) when missing
  util::Clock* clock = nullptr;  // backoff sleeps and the lock deadline; null means the real clock
  int busy_timeout_ms = 5000;    // SQLite's own wait on a held lock, per try
  double lock_timeout_s = 120;   // overall wait for a lock before giving up with exit 75
  // Seeds the backoff jitter. 0 derives it from the process id: jitter exists to pull apart
  // processes that collided, so they must not share it. Output never depends on it.
  std::uint64_t jitter_seed = 0;
};

struct QueryOptions {
  bool only_succeeded = true;
  // The most recent `limit` rows by end time (ties by id); still returned oldest first.
  std::optional<size_t> limit;
  // Only rows that ended at or after this epoch second (rows with no end time are left out).
  std::optional<double> since;
};

struct RecordResult {
  size_t added = 0;
  size_t present = 0;  // already stored under the same key: left untouched
  friend bool operator==(const RecordResult&, const RecordResult&) = default;
};

struct RunSummary {
  std::string run_id;
  std::string workflow;
  size_t executions = 0;
  size_t succeeded = 0;
  std::optional<double> first_start_s;
  std::optional<double> last_end_s;
};

class Store {
 public:
  // `path` as resolved by resolve_history_path(); ":memory:" is a private in-memory store (the
  // fake for other modules' tests). Applies pending migrations.
  static Store open(const std::string& path, const OpenOptions& options = {});
  ~Store();
  Store(Store&&) noexcept;
  Store& operator=(Store&&) noexcept;

  const std::string& path() const;

  // Validates (exit 65 on a bad row, see validate()), then inserts in one transaction.
  // record() returns true when the row was added, false when it was already present.
  bool record(const Execution& e);
  RecordResult record_batch(std::span<const Execution> rows);

  // Distinct categories, sorted.
  std::vector<std::string> categories();
  // Rows of one category ordered by end time, then id (rows without an end time first).
  std::vector<Execution> samples(std::string_view category, const QueryOptions& options = {});
  // Over the same rows samples() would return.
  CategoryStats stats(std::string_view category, const QueryOptions& options = {});
  // One entry per (run_id, workflow), ordered by first start, then run id, then workflow.
  std::vector<RunSummary> runs();
  // Every row, ordered by end time, then id.
  std::vector<Execution> export_all();
  // Every row (any status) of the `runs` runs that recorded a host load (host_runnable) and ended
  // last, on `host` when it is not empty; ordered by end time, then id. What a forecast reads the
  // host's background load from (predict/contention.h).
  std::vector<Execution> recent_loaded_runs(size_t runs, std::string_view host = {});
  size_t count();

  // Deletes the rows that ended before `ended_before_s` (epoch seconds); rows with no end time are
  // kept. Returns how many were deleted.
  size_t prune(double ended_before_s);
  void vacuum();
  // PRAGMA integrity_check and foreign_key_check: the problems found, empty when the file is sound.
  std::vector<std::string> check();

  struct Impl;

 private:
  explicit Store(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace wf::history
