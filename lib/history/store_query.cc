// The read side of Store: what the predictor and the tools ask of the history.
#include <algorithm>

#include <fmt/format.h>

#include "history/store_impl.h"

namespace wf::history {
namespace {

std::optional<int> opt_int(const sql::Stmt& row, int col) {
  auto v = row.opt_integer(col);
  if (!v) return std::nullopt;
  return static_cast<int>(*v);
}

// The WHERE clause of samples() and stats(); parameter 1 is the category, 2 `since` when given.
std::string where_clause(const QueryOptions& options) {
  std::string where = "category = ?1";
  if (options.only_succeeded) where += " AND status = 'succeeded'";
  if (options.since) where += " AND end_s >= ?2";
  return where;
}

// Executions (with their features, one joined row per feature) matching `where`, in end, id order.
// With a limit, the inner query keeps the most recent rows and the outer one puts them back in
// ascending order.
std::string select_with_features(std::string_view where, std::optional<size_t> limit) {
  std::string inner = fmt::format("SELECT * FROM executions WHERE {}", where);
  if (limit) inner += fmt::format(" ORDER BY end_s DESC, id DESC LIMIT {}", *limit);
  return fmt::format(
      "SELECT {cols}, f.name, f.value FROM ({inner}) AS e "
      "LEFT JOIN features AS f ON f.execution_id = e.id ORDER BY e.end_s, e.id, f.name",
      fmt::arg("cols", kExecutionColumns), fmt::arg("inner", inner));
}

// Folds the joined rows of select_with_features() into executions.
std::vector<Execution> read_with_features(sql::Stmt& q) {
  std::vector<Execution> out;
  while (q.step()) {
    std::int64_t id = q.integer(0);
    if (out.empty() || out.back().id != id) out.push_back(read_execution(q));
    if (!q.is_null(kExecutionColumnCount))
      out.back().features.emplace_back(q.text(kExecutionColumnCount), q.real(kExecutionColumnCount + 1));
  }
  return out;
}

void bind_query(sql::Stmt& q, std::string_view category, const QueryOptions& options) {
  q.bind(1, category);
  if (options.since) q.bind(2, *options.since);
}

}  // namespace

Execution read_execution(const sql::Stmt& row) {
  Execution e;
  e.id = row.integer(0);
  e.run_id = row.text(1);
  e.workflow = row.text(2);
  e.task_id = row.text(3);
  e.category = row.text(4);
  e.native_id = row.text(5);
  e.start_s = row.opt_real(6);
  e.end_s = row.opt_real(7);
  e.runtime_s = row.opt_real(8);
  e.cpu_time_s = row.opt_real(9);
  e.peak_rss_bytes = row.opt_integer(10);
  e.read_bytes = row.opt_integer(11);
  e.write_bytes = row.opt_integer(12);
  e.exit_code = opt_int(row, 13);
  e.signal = static_cast<int>(row.integer(14));
  e.status = parse_status(row.text(15)).value_or(Status::failed);  // the CHECK constraint holds it
  e.attempt = static_cast<int>(row.integer(16));
  e.mem_reserved_bytes = row.opt_integer(17);
  e.cpus_reserved = row.opt_real(18);
  e.host = row.text(19);
  e.executor = row.text(20);
  e.source = row.text(21);
  e.host_runnable = row.opt_real(22);
  e.host_cpus = row.opt_real(23);
  return e;
}

std::vector<std::string> Store::categories() {
  return impl_->retry("cannot list categories", [&] {
    std::vector<std::string> out;
    sql::Stmt q(impl_->db, "SELECT DISTINCT category FROM executions ORDER BY category");
    while (q.step()) out.push_back(q.text(0));
    return out;
  });
}

std::vector<Execution> Store::samples(std::string_view category, const QueryOptions& options) {
  return impl_->retry("cannot read samples", [&] {
    sql::Stmt q(impl_->db, select_with_features(where_clause(options), options.limit));
    bind_query(q, category, options);
    return read_with_features(q);
  });
}

CategoryStats Store::stats(std::string_view category, const QueryOptions& options) {
  return impl_->retry("cannot compute statistics", [&] {
    std::string inner = fmt::format("SELECT * FROM executions WHERE {}", where_clause(options));
    if (options.limit) inner += fmt::format(" ORDER BY end_s DESC, id DESC LIMIT {}", *options.limit);
    sql::Stmt q(impl_->db, fmt::format("SELECT runtime_s, peak_rss_bytes, cpu_time_s FROM ({})", inner));
    bind_query(q, category, options);
    CategoryStats s;
    s.category = std::string(category);
    std::vector<double> runtime, rss, cpu;
    while (q.step()) {
      ++s.count;
      if (!q.is_null(0)) runtime.push_back(q.real(0));
      if (!q.is_null(1)) rss.push_back(q.real(1));
      if (!q.is_null(2)) cpu.push_back(q.real(2));
    }
    s.runtime_s = summarize(std::move(runtime));
    s.peak_rss_bytes = summarize(std::move(rss));
    s.cpu_time_s = summarize(std::move(cpu));
    return s;
  });
}

std::vector<RunSummary> Store::runs() {
  return impl_->retry("cannot list runs", [&] {
    sql::Stmt q(impl_->db,
                "SELECT run_id, workflow, COUNT(*), SUM(status = 'succeeded'), MIN(start_s), MAX(end_s) "
                "FROM executions GROUP BY run_id, workflow ORDER BY MIN(start_s), run_id, workflow");
    std::vector<RunSummary> out;
    while (q.step()) {
      RunSummary r;
      r.run_id = q.text(0);
      r.workflow = q.text(1);
      r.executions = static_cast<size_t>(q.integer(2));
      r.succeeded = static_cast<size_t>(q.integer(3));
      r.first_start_s = q.opt_real(4);
      r.last_end_s = q.opt_real(5);
      out.push_back(std::move(r));
    }
    return out;
  });
}

std::vector<Execution> Store::export_all() {
  return impl_->retry("cannot export", [&] {
    sql::Stmt q(impl_->db, select_with_features("1", std::nullopt));
    return read_with_features(q);
  });
}

std::vector<Execution> Store::recent_loaded_runs(size_t runs, std::string_view host) {
  return impl_->retry("cannot read recent runs", [&] {
    // The latest loaded rows first (the partial index executions_loaded_host_end), until `runs`
    // distinct runs: a long history is not scanned for the few runs a forecast reads.
    std::vector<std::string> ids;
    {
      sql::Stmt latest(impl_->db, host.empty() ? "SELECT run_id FROM executions WHERE host_runnable IS NOT NULL "
                                                 "ORDER BY end_s DESC, id DESC"
                                               : "SELECT run_id FROM executions WHERE host_runnable IS NOT NULL "
                                                 "AND host = ?1 ORDER BY end_s DESC, id DESC");
      if (!host.empty()) latest.bind(1, host);
      while (ids.size() < runs && latest.step())
        if (std::string id = latest.text(0); std::find(ids.begin(), ids.end(), id) == ids.end()) ids.push_back(id);
    }
    if (ids.empty()) return std::vector<Execution>{};
    std::string marks;
    for (size_t i = 0; i < ids.size(); ++i) marks += fmt::format("{}?{}", i ? "," : "", i + 2);
    sql::Stmt q(impl_->db, select_with_features(fmt::format("(?1 = '' OR host = ?1) AND run_id IN ({})", marks), std::nullopt));
    q.bind(1, host);
    for (size_t i = 0; i < ids.size(); ++i) q.bind(static_cast<int>(i + 2), ids[i]);
    return read_with_features(q);
  });
}

size_t Store::count() {
  return impl_->retry("cannot count", [&] {
    sql::Stmt q(impl_->db, "SELECT COUNT(*) FROM executions");
    q.step();
    return static_cast<size_t>(q.integer(0));
  });
}

}  // namespace wf::history
