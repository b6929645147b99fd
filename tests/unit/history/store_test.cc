#include <catch2/catch.hpp>

#include <fmt/format.h>

#include "history/store.h"
#include "sqlite_raw.h"
#include "temp_dir.h"

using namespace wf::history;
using wf::history::testing::query;
using wf::history::testing::TempDir;

namespace {

// Every field set, none left at its default.
Execution full_row() {
  Execution e;
  e.run_id = "r1";
  e.workflow = "etl";
  e.task_id = "align.3";
  e.category = "align";
  e.native_id = "4d/5d2be1";
  e.features = {{"cpus", 4}, {"input_bytes", 1.5e9}, {"param.k", 31}};
  e.start_s = 1700000000.25;
  e.end_s = 1700000100.5;
  e.runtime_s = 100.25;
  e.cpu_time_s = 350.125;
  e.peak_rss_bytes = 3'221'225'472;
  e.read_bytes = 9'000'000'000;
  e.write_bytes = 12345;
  e.exit_code = 137;
  e.signal = 9;
  e.status = Status::oom;
  e.attempt = 2;
  e.mem_reserved_bytes = 4'294'967'296;
  e.cpus_reserved = 4;
  e.host = "node7";
  e.host_runnable = 9.5;
  e.host_cpus = 2;
  e.executor = "slurm";
  e.source = "/data/sacct.txt";
  return e;
}

// Only what is required; every optional measurement missing.
Execution bare_row(std::string task, double end_s, Status status = Status::succeeded) {
  Execution e;
  e.run_id = "r2";
  e.workflow = "etl";
  e.task_id = std::move(task);
  e.category = "sort";
  e.end_s = end_s;
  e.status = status;
  return e;
}

}  // namespace

TEST_CASE("every field round-trips, including missing measurements") {
  Store store = Store::open(":memory:");
  Execution full = full_row();
  Execution bare = bare_row("s1", 5);
  bare.end_s.reset();
  REQUIRE(store.record(full));
  REQUIRE(store.record(bare));

  auto all = store.export_all();
  REQUIRE(all.size() == 2);
  // No end time sorts first.
  Execution got_bare = all[0], got_full = all[1];
  CHECK(got_full.id > 0);
  CHECK(got_bare.id > 0);
  full.id = got_full.id;
  bare.id = got_bare.id;
  CHECK(got_full == full);
  CHECK(got_bare == bare);
  CHECK_FALSE(got_bare.runtime_s.has_value());
  CHECK_FALSE(got_bare.peak_rss_bytes.has_value());
  CHECK_FALSE(got_bare.exit_code.has_value());
  CHECK_FALSE(got_bare.start_s.has_value());
  CHECK(got_bare.features.empty());
}

TEST_CASE("features come back sorted by name whatever order they were written in") {
  Store store = Store::open(":memory:");
  Execution e = bare_row("s1", 10);
  e.features = {{"z", 1}, {"a", 2}, {"m", 3}};
  store.record(e);
  auto rows = store.samples("sort");
  REQUIRE(rows.size() == 1);
  CHECK(rows[0].features == std::vector<std::pair<std::string, double>>{{"a", 2}, {"m", 3}, {"z", 1}});
}

TEST_CASE("recording the same attempt twice keeps one row") {
  Store store = Store::open(":memory:");
  CHECK(store.record(full_row()));
  CHECK_FALSE(store.record(full_row()));
  Execution retry = full_row();
  retry.attempt = 3;
  std::vector<Execution> batch{full_row(), retry, retry};
  CHECK(store.record_batch(batch) == RecordResult{1, 2});
  CHECK(store.count() == 2);
}

TEST_CASE("a bad row is refused with exit 65 and nothing of its batch is written") {
  Store store = Store::open(":memory:");
  Execution bad = bare_row("s2", 10);
  bad.features = {{"a", 1}, {"a", 2}};
  std::vector<Execution> batch{bare_row("s1", 10), bad};
  try {
    store.record_batch(batch);
    FAIL("expected an error");
  } catch (const wf::Error& err) {
    CHECK(err.exit() == wf::util::Exit::data);
    CHECK(std::string(err.what()) == "history: run 'r2' task 's2' attempt 1: feature 'a' given twice");
  }
  CHECK(store.count() == 0);

  Execution backwards = bare_row("s3", 10);
  backwards.start_s = 20;
  CHECK_THROWS_WITH(store.record(backwards), Catch::Contains("end time before start time"));
  Execution negative = bare_row("s4", 10);
  negative.peak_rss_bytes = -1;
  CHECK_THROWS_WITH(store.record(negative), Catch::Contains("peak_rss_bytes must be >= 0"));
  Execution no_category = bare_row("s5", 10);
  no_category.category.clear();
  CHECK_THROWS_WITH(store.record(no_category), Catch::Contains("empty category"));
  Execution half_load = bare_row("s6", 10);
  half_load.host_runnable = 3;
  CHECK_THROWS_WITH(store.record(half_load), Catch::Contains("host_runnable and host_cpus go together"));
  half_load.host_cpus = 0;
  CHECK_THROWS_WITH(store.record(half_load), Catch::Contains("host_cpus must be positive"));
  half_load.host_cpus = 2;
  half_load.host_runnable = -1;
  CHECK_THROWS_WITH(store.record(half_load), Catch::Contains("host_runnable must be finite and >= 0"));
}

TEST_CASE("the latest runs that recorded the host's load, every row of them, on one host") {
  Store store = Store::open(":memory:");
  auto add = [&](const std::string& run, const std::string& task, double end, bool loaded, const std::string& host) {
    Execution e = bare_row(task, end);
    e.run_id = run;
    e.host = host;
    if (loaded) e.host_runnable = 1, e.host_cpus = 2;
    store.record(e);
  };
  add("old", "a", 10, true, "h");
  add("mid", "a", 20, true, "h");
  add("mid", "b", 21, false, "h");  // an unloaded row of a loaded run comes along
  add("new", "a", 30, true, "h");
  add("unloaded", "a", 40, false, "h");
  add("elsewhere", "a", 50, true, "g");
  auto rows = store.recent_loaded_runs(2, "h");
  std::vector<std::string> got;
  for (const auto& e : rows) got.push_back(e.run_id + "/" + e.task_id);
  CHECK(got == std::vector<std::string>{"mid/a", "mid/b", "new/a"});
  CHECK(store.recent_loaded_runs(1).front().run_id == "elsewhere");
}

TEST_CASE("samples are filtered and ordered by end time, then id") {
  Store store = Store::open(":memory:");
  std::vector<Execution> rows{bare_row("c", 30), bare_row("a", 10), bare_row("b", 20),
                              bare_row("b2", 20), bare_row("f", 15, Status::failed)};
  Execution other = bare_row("x", 1);
  other.category = "other";
  rows.push_back(other);
  store.record_batch(rows);

  auto ids = [](const std::vector<Execution>& v) {
    std::vector<std::string> out;
    for (const auto& e : v) out.push_back(e.task_id);
    return out;
  };
  CHECK(ids(store.samples("sort")) == std::vector<std::string>{"a", "b", "b2", "c"});
  CHECK(ids(store.samples("sort", query(false))) ==
        std::vector<std::string>{"a", "f", "b", "b2", "c"});
  CHECK(ids(store.samples("sort", query(true, 2))) == std::vector<std::string>{"b2", "c"});
  CHECK(ids(store.samples("sort", query(true, std::nullopt, 20))) == std::vector<std::string>{"b", "b2", "c"});
  CHECK(ids(store.samples("sort", query(false, 3, 12))) ==
        std::vector<std::string>{"b", "b2", "c"});
  CHECK(store.samples("nothing").empty());
  CHECK(store.categories() == std::vector<std::string>{"other", "sort"});
}

TEST_CASE("runs are listed with their counts and time span") {
  Store store = Store::open(":memory:");
  Execution a = bare_row("a", 50);
  a.start_s = 40;
  Execution b = bare_row("b", 70, Status::failed);
  b.start_s = 45;
  Execution c = bare_row("c", 10);
  c.run_id = "r1";
  c.start_s = 5;
  store.record_batch(std::vector<Execution>{a, b, c});
  auto runs = store.runs();
  REQUIRE(runs.size() == 2);
  CHECK(runs[0].run_id == "r1");
  CHECK(runs[1].run_id == "r2");
  CHECK(runs[1].workflow == "etl");
  CHECK(runs[1].executions == 2);
  CHECK(runs[1].succeeded == 1);
  CHECK(runs[1].first_start_s == 40);
  CHECK(runs[1].last_end_s == 70);
}

TEST_CASE("prune removes old rows with their features; check and vacuum find a sound file") {
  TempDir dir;
  Store store = Store::open(dir.file("h.db"));
  std::vector<Execution> rows;
  for (int i = 0; i < 10; ++i) {
    Execution e = bare_row(fmt::format("t{}", i), 100.0 * i);
    e.features = {{"input_bytes", i}};
    rows.push_back(e);
  }
  Execution undated = bare_row("undated", 0);
  undated.end_s.reset();
  rows.push_back(undated);
  store.record_batch(rows);
  CHECK(store.prune(450) == 5);  // ends 0..400
  CHECK(store.count() == 6);     // 500..900 and the undated one
  auto left = store.samples("sort");
  REQUIRE(left.size() == 6);
  CHECK(left[0].task_id == "undated");
  CHECK(left[1].features == std::vector<std::pair<std::string, double>>{{"input_bytes", 5}});
  CHECK(wf::history::testing::RawDb(dir.file("h.db")).integer("SELECT COUNT(*) FROM features") == 5);
  CHECK(store.check().empty());
  store.vacuum();
  CHECK(store.count() == 6);
}
