#include <catch2/catch.hpp>

#include <sys/stat.h>

#include "history/schema.h"
#include "history/store.h"
#include "util/error.h"
#include "sqlite_raw.h"
#include "temp_dir.h"

using namespace wf::history;
using wf::history::testing::RawDb;
using wf::history::testing::TempDir;

namespace {

unsigned mode_of(const std::string& path) {
  struct stat st {};
  REQUIRE(stat(path.c_str(), &st) == 0);
  return st.st_mode & 07777;
}

wf::Error open_error(const std::string& path, const OpenOptions& options = {}) {
  try {
    Store::open(path, options);
  } catch (const wf::Error& e) {
    return e;
  }
  FAIL("expected " << path << " to be refused");
  throw std::logic_error("unreachable");
}

}  // namespace

TEST_CASE("a new database gets every migration, WAL mode and the indexes") {
  TempDir dir;
  std::string path = dir.file("new/sub/history.db");
  { Store::open(path); }
  RawDb raw(path);
  CHECK(raw.integer("PRAGMA user_version") == schema_version());
  CHECK(schema_version() == static_cast<int>(migrations().size()));
  CHECK(raw.text("PRAGMA journal_mode") == "wal");
  CHECK(raw.integer("SELECT COUNT(*) FROM sqlite_master WHERE type = 'index' AND name = 'executions_key'") == 1);
  CHECK(raw.integer("SELECT COUNT(*) FROM sqlite_master WHERE name = 'features'") == 1);
}

TEST_CASE("an empty existing file is migrated, and opening again changes nothing") {
  TempDir dir;
  std::string path = dir.write("empty.db", "");
  {
    Store store = Store::open(path);
    Execution e;
    e.run_id = "r";
    e.task_id = "t";
    e.category = "c";
    store.record(e);
  }
  Store again = Store::open(path);
  CHECK(again.count() == 1);
  CHECK(RawDb(path).integer("PRAGMA user_version") == schema_version());
}

TEST_CASE("the database is private to the user: file 0600, new directories 0700") {
  TempDir dir;
  std::string path = dir.file("a/b/history.db");
  {
    Store store = Store::open(path);
    Execution e;
    e.run_id = "r";
    e.task_id = "t";
    e.category = "c";
    store.record(e);  // brings the -wal and -shm files into being
    CHECK(mode_of(path + "-wal") == 0600);
  }
  CHECK(mode_of(path) == 0600);
  CHECK(mode_of(dir.file("a")) == 0700);
  CHECK(mode_of(dir.file("a/b")) == 0700);
}

TEST_CASE("a database from a newer wf is refused with exit 65") {
  TempDir dir;
  std::string path = dir.file("newer.db");
  { Store::open(path); }
  RawDb(path).exec(fmt::format("PRAGMA user_version = {}", schema_version() + 1));
  wf::Error e = open_error(path);
  CHECK(e.exit() == wf::util::Exit::data);
  CHECK(std::string(e.what()) ==
        fmt::format("{}: history schema version {} is newer than this wf understands (up to {}): upgrade wf",
                    path, schema_version() + 1, schema_version()));
}

TEST_CASE("a file that is not SQLite gives one line naming it, exit 65") {
  TempDir dir;
  std::string path = dir.write("notes.txt", std::string(4096, 'x') + "this is not a database\n");
  wf::Error e = open_error(path);
  CHECK(e.exit() == wf::util::Exit::data);
  std::string message = e.what();
  CHECK(message.starts_with(path + ": not an SQLite database"));
  CHECK(message.find('\n') == std::string::npos);
}

TEST_CASE("a corrupt database is reported, exit 65") {
  TempDir dir;
  std::string path = dir.file("corrupt.db");
  {
    Store store = Store::open(path);
    std::vector<Execution> rows;
    for (int i = 0; i < 2000; ++i) {
      Execution e;
      e.run_id = "r";
      e.task_id = fmt::format("t{}", i);
      e.category = "c";
      e.end_s = i;
      rows.push_back(e);
    }
    store.record_batch(rows);
  }
  {
    // Checkpoint the WAL into the file, then scribble over a page in the middle of it.
    RawDb raw(path);
    raw.exec("PRAGMA wal_checkpoint(TRUNCATE); PRAGMA journal_mode = DELETE");
  }
  {
    std::FILE* f = std::fopen(path.c_str(), "r+b");
    REQUIRE(f);
    std::fseek(f, 4096 * 3, SEEK_SET);
    std::string junk(4096, '\x5a');
    std::fwrite(junk.data(), 1, junk.size(), f);
    std::fclose(f);
  }
  bool reported = false;
  try {
    Store store = Store::open(path);
    auto problems = store.check();
    store.count();
    store.samples("c");
    reported = !problems.empty();
  } catch (const wf::Error& e) {
    CHECK(e.exit() == wf::util::Exit::data);
    CHECK(std::string(e.what()).starts_with(path + ": "));
    reported = true;
  }
  CHECK(reported);
}

TEST_CASE("opening without create refuses a missing file with exit 66") {
  TempDir dir;
  OpenOptions options;
  options.create = false;
  wf::Error e = open_error(dir.file("missing.db"), options);
  CHECK(e.exit() == wf::util::Exit::no_input);
  CHECK_FALSE(std::filesystem::exists(dir.file("missing.db")));
}

TEST_CASE("another program's SQLite database is left alone, exit 65") {
  TempDir dir;
  std::string path = dir.file("other.db");
  RawDb(path).exec("CREATE TABLE notes (body TEXT)");
  wf::Error e = open_error(path);
  CHECK(e.exit() == wf::util::Exit::data);
  CHECK(std::string(e.what()) == path + ": an SQLite database, but not a wf history (no schema version, 1 objects)");
  CHECK(RawDb(path).integer("SELECT COUNT(*) FROM sqlite_master") == 1);
}

TEST_CASE("a version-1 history gains the host-load columns; its rows have none") {
  TempDir dir;
  std::string path = dir.file("history.db");
  { Store::open(path); }
  {
    RawDb raw(path);
    raw.exec("DROP INDEX executions_loaded_host_end");
    raw.exec("ALTER TABLE executions DROP COLUMN host_runnable");
    raw.exec("ALTER TABLE executions DROP COLUMN host_cpus");
    raw.exec("PRAGMA user_version = 1");
    raw.exec("INSERT INTO executions (run_id, workflow, task_id, category, status, attempt, executor) "
             "VALUES ('r', 'w', 't', 'c', 'succeeded', 1, 'local')");
  }
  Store store = Store::open(path);
  CHECK(RawDb(path).integer("PRAGMA user_version") == schema_version());
  CHECK(RawDb(path).integer("SELECT COUNT(*) FROM sqlite_master WHERE type = 'index' "
                            "AND name = 'executions_loaded_host_end'") == 1);
  auto rows = store.export_all();
  REQUIRE(rows.size() == 1);
  CHECK_FALSE(rows[0].host_runnable);
  CHECK_FALSE(rows[0].host_cpus);
}
