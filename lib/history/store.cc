#include "history/store.h"

#include <filesystem>


#include "history/paths.h"
#include "history/schema.h"
#include "history/store_impl.h"

namespace wf::history {
namespace {

constexpr std::string_view kInsertExecution =
    "INSERT INTO executions (run_id, workflow, task_id, category, native_id, start_s, end_s, "
    "runtime_s, cpu_time_s, peak_rss_bytes, read_bytes, write_bytes, exit_code, signal, status, "
    "attempt, mem_reserved_bytes, cpus_reserved, host, executor, source, host_runnable, host_cpus) "
    "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?) ON CONFLICT DO NOTHING";
constexpr std::string_view kInsertFeature =
    "INSERT INTO features (execution_id, name, value) VALUES (?,?,?)";

bool in_memory(const std::string& path) { return path == ":memory:" || path.empty(); }

// Creates or checks the file before SQLite sees it, so the messages are ours and the mode is 0600.
void prepare(const std::string& path, bool create) {
  if (in_memory(path)) return;
  if (create) {
    prepare_private_file(path);
    return;
  }
  std::error_code ec;
  if (!std::filesystem::exists(path, ec))
    fail(util::Exit::no_input, "{}: no such history database", path);
}

sql::Db open_db(const std::string& path, bool create) {
  prepare(path, create);
  return sql::Db(path, create);
}

}  // namespace

Store::Impl::Impl(const std::string& path, const OpenOptions& opts)
    : options(opts),
      clock(opts.clock ? opts.clock : &util::real_clock()),
      db(open_db(path, opts.create)),
      retry(db, *clock, opts.jitter_seed,
            {.lock_timeout_s = opts.lock_timeout_s, .max_backoff_s = 1.0, .noun = "database"}) {
  sql::open_shared(db, retry,
                   {.busy_timeout_ms = options.busy_timeout_ms,
                    .pragmas = "PRAGMA foreign_keys = ON",
                    .migrate_what = "cannot migrate the schema",
                    .migrate = history::migrate});
}

bool Store::Impl::insert(const Execution& e) {
  if (!insert_execution) {
    insert_execution = std::make_unique<sql::Stmt>(db, kInsertExecution);
    insert_feature = std::make_unique<sql::Stmt>(db, kInsertFeature);
  }
  sql::Stmt& q = *insert_execution;
  q.reset();
  q.bind(1, e.run_id).bind(2, e.workflow).bind(3, e.task_id).bind(4, e.category);
  q.bind(5, e.native_id).bind(6, e.start_s).bind(7, e.end_s).bind(8, e.runtime_s);
  q.bind(9, e.cpu_time_s).bind(10, e.peak_rss_bytes).bind(11, e.read_bytes).bind(12, e.write_bytes);
  q.bind(13, e.exit_code).bind(14, e.signal).bind(15, to_string(e.status)).bind(16, e.attempt);
  q.bind(17, e.mem_reserved_bytes).bind(18, e.cpus_reserved).bind(19, e.host);
  q.bind(20, e.executor).bind(21, e.source).bind(22, e.host_runnable).bind(23, e.host_cpus);
  q.run();
  if (q.changes() == 0) return false;
  std::int64_t id = db.last_insert_rowid();
  for (const auto& [name, value] : e.features) {
    sql::Stmt& f = *insert_feature;
    f.reset();
    f.bind(1, id).bind(2, name).bind(3, value);
    f.run();
  }
  return true;
}

Store::Store(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Store::~Store() = default;
Store::Store(Store&&) noexcept = default;
Store& Store::operator=(Store&&) noexcept = default;

Store Store::open(const std::string& path, const OpenOptions& options) {
  return Store(std::make_unique<Impl>(path, options));
}

const std::string& Store::path() const { return impl_->db.path(); }

bool Store::record(const Execution& e) { return record_batch(std::span(&e, 1)).added == 1; }

RecordResult Store::record_batch(std::span<const Execution> rows) {
  for (const Execution& e : rows) validate(e);
  RecordResult result;
  impl_->retry.write("cannot record executions", [&] {
    result = {};
    for (const Execution& e : rows) {
      bool added = impl_->insert(e);
      ++(added ? result.added : result.present);
    }
  });
  return result;
}

size_t Store::prune(double ended_before_s) {
  size_t deleted = 0;
  impl_->retry.write("cannot prune", [&] {
    sql::Stmt q(impl_->db, "DELETE FROM executions WHERE end_s < ?");
    q.bind(1, ended_before_s);
    q.run();
    deleted = static_cast<size_t>(q.changes());
  });
  return deleted;
}

void Store::vacuum() {
  impl_->retry("cannot vacuum", [&] { impl_->db.exec("VACUUM"); });
}

std::vector<std::string> Store::check() {
  return impl_->retry("cannot check", [&] {
    std::vector<std::string> problems;
    sql::Stmt integrity(impl_->db, "PRAGMA integrity_check");
    while (integrity.step())
      if (integrity.text(0) != "ok") problems.push_back(integrity.text(0));
    sql::Stmt keys(impl_->db, "PRAGMA foreign_key_check");
    while (keys.step())
      problems.push_back(fmt::format("{} row {} refers to a missing {} row", keys.text(0),
                                     keys.integer(1), keys.text(2)));
    return problems;
  });
}

}  // namespace wf::history
