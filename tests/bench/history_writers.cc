// Concurrent writers into one history file, and the predictor's read path over a large history.
//
//   bench_history_writers [PROCESSES=20] [ROWS_PER_PROCESS=500] [QUERY_ROWS=100000] [DIR=$TMPDIR]
//
// Part 1 forks PROCESSES writers that each record ROWS_PER_PROCESS executions one transaction at a
// time into the same fresh file (the cron-started wf-run case), then counts what landed: rows/s and
// lost rows, which must be 0 (exit 1 otherwise). Part 2 fills a second file with QUERY_ROWS rows
// (half in one category, the rest in categories of 1000) with record_batch, then times samples(),
// stats() and categories() (median of 5). Figures only; nothing here asserts a time.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <sys/wait.h>
#include <unistd.h>

#include "history/store.h"

using namespace wf::history;

namespace {

double now_s() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

Execution row(const std::string& run, int i, const std::string& category) {
  Execution e;
  e.run_id = run;
  e.workflow = "bench";
  e.task_id = fmt::format("t{}", i);
  e.category = category;
  e.start_s = 1.7e9 + i;
  e.end_s = 1.7e9 + i + 10 + i % 13;
  e.runtime_s = 10 + i % 13;
  e.cpu_time_s = 8 + i % 7;
  e.peak_rss_bytes = 1'000'000 + 4096LL * (i % 1000);
  e.read_bytes = 1'000'000LL * (i % 100);
  e.write_bytes = 1000;
  e.exit_code = 0;
  e.cpus_reserved = 2;
  e.mem_reserved_bytes = 1LL << 30;
  e.host = "node1";
  e.features = {{"cpus", 2}, {"input_bytes", 1e6 * (i % 100)}, {"param.k", i % 5}};
  return e;
}

[[noreturn]] void writer(const std::string& path, int child, int rows) {
  int status = 0;
  try {
    Store store = Store::open(path);
    for (int i = 0; i < rows; ++i)
      if (!store.record(row(fmt::format("run{}", child), i, fmt::format("cat{}", i % 10)))) status = 3;
  } catch (const wf::Error& err) {
    std::fprintf(stderr, "writer %d: %s\n", child, err.what());
    status = wf::util::code(err.exit());
  }
  _exit(status);
}

// Returns the number of lost rows.
size_t bench_writers(const std::string& path, int processes, int rows) {
  double t0 = now_s();
  std::vector<pid_t> pids;
  for (int c = 0; c < processes; ++c) {
    pid_t pid = fork();
    if (pid < 0) {
      std::perror("fork");
      std::exit(70);
    }
    if (pid == 0) writer(path, c, rows);
    pids.push_back(pid);
  }
  int failed = 0;
  for (pid_t pid : pids) {
    int status = 0;
    waitpid(pid, &status, 0);
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) ++failed;
  }
  double elapsed = now_s() - t0;
  size_t expected = static_cast<size_t>(processes) * static_cast<size_t>(rows);
  size_t landed = Store::open(path).count();
  size_t lost = expected - std::min(expected, landed);
  fmt::print("writers: {} processes x {} rows, one transaction each\n", processes, rows);
  fmt::print("  {:.2f} s, {:.0f} rows/s, {} landed, {} lost, {} writers failed\n", elapsed,
             static_cast<double>(landed) / elapsed, landed, lost, failed);
  return lost + static_cast<size_t>(failed);
}

template <typename F>
double median_time_ms(F&& f) {
  std::vector<double> times;
  for (int i = 0; i < 5; ++i) {
    double t0 = now_s();
    f();
    times.push_back((now_s() - t0) * 1000);
  }
  std::sort(times.begin(), times.end());
  return times[2];
}

void bench_queries(const std::string& path, int total) {
  Store store = Store::open(path);
  std::vector<Execution> batch;
  double t0 = now_s();
  for (int i = 0; i < total; ++i) {
    std::string category = i % 2 == 0 ? "big" : fmt::format("small{}", (i / 2) / 1000);
    batch.push_back(row("fill", i, category));
    if (batch.size() == 1000 || i + 1 == total) {
      store.record_batch(batch);
      batch.clear();
    }
  }
  double fill_s = now_s() - t0;
  fmt::print("queries: {} rows recorded in batches of 1000 in {:.2f} s ({:.0f} rows/s), file {:.1f} MB\n",
             total, fill_s, total / fill_s, static_cast<double>(std::filesystem::file_size(path)) / 1e6);
  size_t n_big = 0, n_small = 0;
  double big = median_time_ms([&] { n_big = store.samples("big").size(); });
  double big_limit = median_time_ms([&] {
    QueryOptions q;
    q.limit = 1000;
    store.samples("big", q);
  });
  double small = median_time_ms([&] { n_small = store.samples("small0").size(); });
  double stats = median_time_ms([&] { store.stats("big"); });
  size_t n_categories = 0;
  double categories = median_time_ms([&] { n_categories = store.categories().size(); });
  fmt::print("  samples(big):             {:8.1f} ms for {} rows ({:.2f} us/row)\n", big, n_big,
             big * 1000 / static_cast<double>(std::max<size_t>(n_big, 1)));
  fmt::print("  samples(big, limit 1000): {:8.1f} ms\n", big_limit);
  fmt::print("  samples(small0):          {:8.1f} ms for {} rows\n", small, n_small);
  fmt::print("  stats(big):               {:8.1f} ms\n", stats);
  fmt::print("  categories():             {:8.1f} ms for {} categories\n", categories, n_categories);
}

}  // namespace

int main(int argc, char** argv) {
  int processes = argc > 1 ? std::atoi(argv[1]) : 20;
  int rows = argc > 2 ? std::atoi(argv[2]) : 500;
  int query_rows = argc > 3 ? std::atoi(argv[3]) : 100000;
  std::filesystem::path base = argc > 4 ? std::filesystem::path(argv[4]) : std::filesystem::temp_directory_path();
  std::string dir_template = (base / "wf-bench-history-XXXXXX").string();
  if (!mkdtemp(dir_template.data())) {
    std::perror("mkdtemp");
    return 70;
  }
  std::filesystem::path dir = dir_template;
  size_t lost = 0;
  try {
    lost = bench_writers((dir / "writers.db").string(), processes, rows);
    bench_queries((dir / "queries.db").string(), query_rows);
  } catch (const wf::Error& e) {
    std::fprintf(stderr, "bench_history_writers: error: %s\n", e.what());
    std::filesystem::remove_all(dir);
    return wf::util::code(e.exit());
  }
  std::filesystem::remove_all(dir);
  return lost == 0 ? 0 : 1;
}
