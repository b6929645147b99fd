#include <catch2/catch.hpp>

#include <fmt/format.h>

#include <sys/wait.h>
#include <unistd.h>

#include "history/store.h"
#include "util/error.h"
#include "sqlite_raw.h"
#include "temp_dir.h"
#include "util/clock.h"

using namespace wf::history;
using wf::history::testing::RawDb;
using wf::history::testing::TempDir;

namespace {

// A child process: opens its own store and records `rows` executions one transaction each.
// Returns the exit status the parent will see; never returns into Catch.
[[noreturn]] void writer(const std::string& path, int child, int rows) {
  int status = 0;
  try {
    Store store = Store::open(path);
    for (int i = 0; i < rows; ++i) {
      Execution e;
      e.run_id = fmt::format("run{}", child);
      e.workflow = "cron";
      e.task_id = fmt::format("t{}", i);
      e.category = fmt::format("cat{}", i % 7);
      e.end_s = 1000.0 + i;
      e.runtime_s = 1.0 + child;
      e.features = {{"input_bytes", i}};
      if (!store.record(e)) status = 3;
    }
  } catch (const wf::Error& err) {
    std::fprintf(stderr, "child %d: %s\n", child, err.what());
    status = wf::util::code(err.exit());
  } catch (...) {
    status = 70;
  }
  _exit(status);
}

}  // namespace

TEST_CASE("20 processes writing 200 rows each, one at a time, lose nothing") {
  TempDir dir;
  std::string path = dir.file("history.db");  // created by the children, racing
  constexpr int kChildren = 20, kRows = 200;
  std::vector<pid_t> pids;
  for (int c = 0; c < kChildren; ++c) {
    pid_t pid = fork();
    REQUIRE(pid >= 0);
    if (pid == 0) writer(path, c, kRows);
    pids.push_back(pid);
  }
  int failures = 0;
  for (pid_t pid : pids) {
    int status = 0;
    REQUIRE(waitpid(pid, &status, 0) == pid);
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) ++failures;
  }
  CHECK(failures == 0);
  Store store = Store::open(path);
  CHECK(store.count() == kChildren * kRows);
  CHECK(store.runs().size() == kChildren);
  CHECK(RawDb(path).integer("SELECT COUNT(*) FROM features") == kChildren * kRows);
  CHECK(store.check().empty());
}

TEST_CASE("a write lock held too long gives exit 75 and leaves the store usable") {
  TempDir dir;
  std::string path = dir.file("history.db");
  { Store::open(path); }
  wf::util::FakeClock clock;
  OpenOptions options;
  options.clock = &clock;
  options.busy_timeout_ms = 1;
  options.lock_timeout_s = 10;
  Store store = Store::open(path, options);
  Execution e;
  e.run_id = "r";
  e.task_id = "t";
  e.category = "c";
  {
    RawDb holder(path);
    holder.exec("BEGIN IMMEDIATE");
    double before = clock.wall();
    try {
      store.record(e);
      FAIL("expected the lock to be refused");
    } catch (const wf::Error& err) {
      CHECK(err.exit() == wf::util::Exit::temp);
      CHECK(std::string(err.what()).starts_with(path + ": cannot record executions: the database stayed locked"));
    }
    // It backed off (on the fake clock) for the whole lock timeout, not longer than a backoff step.
    CHECK(clock.wall() - before >= 10);
    CHECK(clock.wall() - before < 12);
    holder.exec("ROLLBACK");
  }
  CHECK(store.record(e));
  CHECK(store.count() == 1);
}

TEST_CASE("a reader is never blocked by a writer holding the lock (WAL)") {
  TempDir dir;
  std::string path = dir.file("history.db");
  OpenOptions options;
  options.busy_timeout_ms = 1;
  options.lock_timeout_s = 0;
  Store store = Store::open(path, options);
  Execution e;
  e.run_id = "r";
  e.task_id = "t";
  e.category = "c";
  store.record(e);
  RawDb holder(path);
  holder.exec("BEGIN IMMEDIATE; INSERT INTO executions (run_id, workflow, task_id, category, status, "
              "attempt, executor) VALUES ('r', '', 'u', 'c', 'succeeded', 1, 'local')");
  CHECK(store.samples("c").size() == 1);  // the uncommitted row is not seen
  holder.exec("COMMIT");
  CHECK(store.samples("c").size() == 2);
}
