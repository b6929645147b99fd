#include <catch2/catch.hpp>

#include <sys/stat.h>

#include "provider/ledger.h"
#include "provider/ledger_schema.h"
#include "provider/paths.h"
#include "support.h"

using namespace wf::provider;
using wf::provider::testing::RawDb;
using wf::provider::testing::TempDir;

namespace {

Intent intent(const std::string& run, std::optional<double> ttl = std::nullopt, const std::string& kind = "vm") {
  Intent in;
  in.provider = "fake";
  in.kind = kind;
  in.spec_json = R"({"vcpu":2})";
  in.run_id = run;
  in.ttl_s = ttl;
  return in;
}

int exit_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const wf::Error& e) {
    return wf::util::code(e.exit());
  }
  return 0;
}

LedgerOptions with_clock(wf::util::Clock& clock) {
  LedgerOptions o;
  o.clock = &clock;
  return o;
}

}  // namespace

TEST_CASE("a new ledger is private, in WAL mode, at the current schema version") {
  TempDir dir;
  std::string path = dir.file("a/b/ledger.db");
  { Ledger::open(path); }
  struct stat st {};
  REQUIRE(stat(path.c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0600);
  REQUIRE(stat(dir.file("a/b").c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0700);
  RawDb raw(path);
  CHECK(raw.text("PRAGMA journal_mode") == "wal");
  CHECK(raw.integer("PRAGMA user_version") == ledger_schema_version());
}

TEST_CASE("a resource goes intent, creating, active, and every state is written before the next step") {
  TempDir dir;
  wf::util::FakeClock clock;
  Ledger ledger = Ledger::open(dir.file("ledger.db"), with_clock(clock));
  std::string id = ledger.record_intent(intent("run-1", 60));
  CHECK(is_resource_id(id));
  CHECK(ledger.get(id)->state == State::intent);
  CHECK(ledger.get(id)->expires_s() == Approx(clock.wall() + 60));
  REQUIRE(ledger.mark_creating(id));
  CHECK(ledger.get(id)->state == State::creating);
  CHECK_FALSE(ledger.mark_creating(id));  // only from intent
  REQUIRE(ledger.record_created(id, "i-123", R"({"ip":"10.0.0.1"})"));
  Resource r = *ledger.get(id);
  CHECK(r.state == State::active);
  CHECK(r.provider_id == "i-123");
  CHECK(r.detail_json == R"({"ip":"10.0.0.1"})");
  CHECK(r.run_id == "run-1");
  CHECK(ledger.of_run("run-1").size() == 1);
  CHECK(ledger.of_run("run-2").empty());
  CHECK(ledger.check().empty());
}

TEST_CASE("intents are refused when their kind, spec, TTL or id is malformed") {
  TempDir dir;
  Ledger ledger = Ledger::open(dir.file("ledger.db"));
  CHECK(exit_of([&] { ledger.record_intent(intent("r", std::nullopt, "spaceship")); }) == 65);
  Intent bad_spec = intent("r");
  bad_spec.spec_json = "[1,2]";
  CHECK(exit_of([&] { ledger.record_intent(bad_spec); }) == 65);
  CHECK(exit_of([&] { ledger.record_intent(intent("r", 0.0)); }) == 65);
  Intent bad_id = intent("r");
  bad_id.id = "i-123";
  CHECK(exit_of([&] { ledger.record_intent(bad_id); }) == 65);
  Intent no_provider = intent("r");
  no_provider.provider.clear();
  CHECK(exit_of([&] { ledger.record_intent(no_provider); }) == 65);
  CHECK(ledger.all().empty());  // a refused batch writes nothing
}

TEST_CASE("run ids are recorded only in a safe alphabet: they name directories and reach scripts") {
  TempDir dir;
  Ledger ledger = Ledger::open(dir.file("ledger.db"));
  for (const char* bad : {"../escape", "a/b", "-rf", ".hidden", "x\ntouch pwned", "$(id)", "a b", "a;b", "a`b`", "x..y"})
    CHECK(exit_of([&] { ledger.record_intent(intent(bad)); }) == 65);
  CHECK(exit_of([&] { ledger.record_intent(intent(std::string(201, 'a'))); }) == 65);
  CHECK(ledger.all().empty());
  for (const char* good : {"", "etl-20261129T020000-1a2b", "run_1", "nightly.2026-11-29", "job:42@site+a=b,c"})
    ledger.record_intent(intent(good));
  CHECK(ledger.all().size() == 5);
  CHECK(is_run_id("etl-20261129T020000-1a2b"));
  CHECK_FALSE(is_run_id(""));
  CHECK_FALSE(is_run_id("../escape"));
}

TEST_CASE("a heartbeat moves the expiry; expired() lists live rows past theirs") {
  TempDir dir;
  wf::util::FakeClock clock;
  Ledger ledger = Ledger::open(dir.file("ledger.db"), with_clock(clock));
  std::string short_lived = ledger.record_intent(intent("r", 10));
  std::string forever = ledger.record_intent(intent("r"));
  clock.advance(8);
  std::vector<std::string> ids{short_lived, forever};
  CHECK(ledger.heartbeat(ids) == 2);
  clock.advance(8);
  CHECK(ledger.expired().empty());  // 16 s after creation, 8 after the heartbeat
  clock.advance(3);
  auto expired = ledger.expired();
  REQUIRE(expired.size() == 1);
  CHECK(expired[0].id == short_lived);
}

TEST_CASE("a reaper's claim excludes other reapers until it goes stale") {
  TempDir dir;
  wf::util::FakeClock clock;
  Ledger ledger = Ledger::open(dir.file("ledger.db"), with_clock(clock));
  std::string a = ledger.record_intent(intent("r"));
  std::string b = ledger.record_intent(intent("r"));
  std::vector<std::string> ids{a, b, "res-0000000000000000"};
  auto first = ledger.claim(ids, "claim-1", 100);
  REQUIRE(first.size() == 2);
  CHECK(first[0].previous == State::intent);
  CHECK(first[0].resource.state == State::releasing);
  CHECK(ledger.claim(ids, "claim-2", 100).empty());
  CHECK_FALSE(ledger.finish_release(a, "claim-2"));  // not its claim
  CHECK(ledger.finish_release(a, "claim-1", "never created"));
  CHECK(ledger.get(a)->state == State::released);
  clock.advance(101);
  auto taken_over = ledger.claim(ids, "claim-3", 100);  // claim-1 died holding b
  REQUIRE(taken_over.size() == 1);
  CHECK(taken_over[0].resource.id == b);
  CHECK(taken_over[0].previous == State::releasing);
  CHECK(ledger.fail_release(b, "claim-3", "release: boom"));
  CHECK(ledger.get(b)->state == State::failed);
  CHECK(ledger.get(b)->error == "release: boom");
  CHECK(ledger.claim(ids, "claim-4", 100).size() == 1);  // failed rows are claimable again
}

TEST_CASE("an outcome that arrives after a reaper claimed the row keeps the id and leaves it failed") {
  TempDir dir;
  Ledger ledger = Ledger::open(dir.file("ledger.db"));
  std::string id = ledger.record_intent(intent("r"));
  REQUIRE(ledger.mark_creating(id));
  std::vector<std::string> ids{id};
  REQUIRE(ledger.claim(ids, "claim-1", 900).size() == 1);
  CHECK_FALSE(ledger.record_created(id, "i-9", "{}"));
  Resource r = *ledger.get(id);
  CHECK(r.state == State::failed);
  CHECK(r.provider_id == "i-9");
  CHECK(r.claim.empty());
}

TEST_CASE("holds() knows a live row by provider id or by key, not a released one") {
  TempDir dir;
  Ledger ledger = Ledger::open(dir.file("ledger.db"));
  std::string id = ledger.record_intent(intent("r"));
  CHECK(ledger.holds("fake", "", id));  // creating without a provider id yet: known by key
  ledger.mark_creating(id);
  ledger.record_created(id, "i-1", "{}");
  CHECK(ledger.holds("fake", "i-1", ""));
  CHECK_FALSE(ledger.holds("other", "i-1", id));
  std::vector<std::string> ids{id};
  ledger.claim(ids, "c", 900);
  ledger.finish_release(id, "c");
  CHECK_FALSE(ledger.holds("fake", "i-1", id));
  std::string orphan = ledger.record_orphan("fake", "vm", "i-1", "{}");
  CHECK(ledger.get(orphan)->state == State::orphaned);
  CHECK(ledger.holds("fake", "i-1", ""));
  CHECK(ledger.providers() == std::vector<std::string>{"fake"});
}

TEST_CASE("a file that is not a ledger is refused with exit 65, a missing one with 66") {
  TempDir dir;
  std::string junk = dir.write("junk.db", std::string(4096, 'x'));
  CHECK(exit_of([&] { Ledger::open(junk); }) == 65);
  std::string other = dir.file("other.db");
  {
    RawDb raw(other);
    raw.exec("CREATE TABLE t (x)");
  }
  CHECK(exit_of([&] { Ledger::open(other); }) == 65);
  std::string newer = dir.file("newer.db");
  { Ledger::open(newer); }
  RawDb(newer).exec("PRAGMA user_version = 99");
  CHECK(exit_of([&] { Ledger::open(newer); }) == 65);
  LedgerOptions no_create;
  no_create.create = false;
  CHECK(exit_of([&] { Ledger::open(dir.file("missing.db"), no_create); }) == 66);
}

TEST_CASE("a lock held by another process past the lock timeout gives exit 75, and the ledger stays usable") {
  TempDir dir;
  std::string path = dir.file("ledger.db");
  wf::util::FakeClock clock;
  LedgerOptions o = with_clock(clock);
  o.busy_timeout_ms = 1;
  o.lock_timeout_s = 5;
  Ledger ledger = Ledger::open(path, o);
  {
    RawDb holder(path);
    holder.exec("BEGIN IMMEDIATE");
    CHECK(exit_of([&] { ledger.record_intent(intent("r")); }) == 75);
    holder.exec("ROLLBACK");
  }
  CHECK_FALSE(ledger.record_intent(intent("r")).empty());
  CHECK(ledger.all().size() == 1);
}

TEST_CASE("the ledger lives beside the history unless --ledger or WF_LEDGER says otherwise") {
  auto env = [](std::map<std::string, std::string> vars) {
    return [vars](const char* name) -> std::optional<std::string> {
      auto it = vars.find(name);
      if (it == vars.end()) return std::nullopt;
      return it->second;
    };
  };
  CHECK(resolve_ledger_path("/x/l.db", env({{"WF_LEDGER", "/y/l.db"}})) == "/x/l.db");
  CHECK(resolve_ledger_path(std::nullopt, env({{"WF_LEDGER", "/y/l.db"}})) == "/y/l.db");
  CHECK(resolve_ledger_path(std::nullopt, env({{"XDG_DATA_HOME", "/data"}})) == "/data/wf/ledger.db");
  CHECK(resolve_ledger_path(std::nullopt, env({{"HOME", "/home/u"}, {"WF_LEDGER", ""}})) ==
        "/home/u/.local/share/wf/ledger.db");
  CHECK(resolve_scratch_root(std::nullopt, "/data/wf/ledger.db", env({})) == "/data/wf/scratch");
  CHECK(resolve_scratch_root(std::nullopt, "/data/wf/ledger.db", env({{"WF_SCRATCH_ROOT", "/s"}})) == "/s");
  CHECK(resolve_scratch_root("/t", "/data/wf/ledger.db", env({{"WF_SCRATCH_ROOT", "/s"}})) == "/t");
}
