#include <catch2/catch.hpp>

#include <filesystem>

#include <sys/wait.h>
#include <unistd.h>

#include "../provider/support.h"
#include "provider/provision.h"
#include "reap/reaper.h"
#include "reap/report.h"

using namespace wf::provider;
using namespace wf::reap;
using wf::provider::testing::FakeProvider;
using wf::provider::testing::TempDir;

namespace {

struct World {
  TempDir dir;
  wf::util::FakeClock clock;
  FakeHost host{8, 16ull << 30, 100ull << 30};
  Ledger ledger;
  Providers providers;
  FakeProvider* fake;

  World() : ledger(Ledger::open(dir.file("ledger.db"), ledger_options())), providers(ledger, config()) {
    auto p = std::make_unique<FakeProvider>();
    fake = p.get();
    providers.add(std::move(p));
  }
  LedgerOptions ledger_options() {
    LedgerOptions o;
    o.clock = &clock;
    return o;
  }
  ProviderConfig config() {
    ProviderConfig c;
    c.pool.scratch_root = dir.file("scratch");
    c.pool.wakeups = false;
    c.host = &host;
    return c;
  }
  std::vector<Resource> make(const std::string& run, int n, std::optional<double> ttl = std::nullopt) {
    std::vector<ResourceRequest> want(static_cast<size_t>(n), ResourceRequest{"vm", "{}", ttl});
    ProvisionOptions o;
    o.run_id = run;
    return create_resources(ledger, *fake, want, o);
  }
  Report reap(const Selection& s, bool dry_run = false) {
    ReapOptions o;
    o.dry_run = dry_run;
    o.now_s = clock.wall();
    return Reaper(ledger, providers, o).reap(s);
  }
};

Selection runs(std::vector<std::string> ids) {
  Selection s;
  s.run_ids = std::move(ids);
  return s;
}

}  // namespace

TEST_CASE("a run's resources are released, and reaping again finds nothing to do") {
  World w;
  w.make("run-1", 3);
  w.make("run-2", 1);
  Report r = w.reap(runs({"run-1"}));
  CHECK(r.count(Outcome::released) == 3);
  CHECK(r.exit_code() == 0);
  CHECK(w.fake->size() == 1);
  CHECK(w.ledger.of_run("run-1").empty());
  CHECK(w.ledger.of_run("run-2").size() == 1);
  Report again = w.reap(runs({"run-1"}));
  CHECK(again.items.empty());
  CHECK(again.nothing_done());
  CHECK(report_table(again).empty());
}

TEST_CASE("a document releases only ledger rows it lists whose owner it names") {
  World w;
  auto mine = w.make("run-1", 2);
  auto theirs = w.make("run-2", 1);
  Selection s;
  s.doc_owners = {"run-1"};
  // An untrusted document: someone else's ledger id, a made-up id, and a provider id posing as one.
  s.doc_ids = {mine[0].id, theirs[0].id, "res-0000000000000bad", theirs[0].provider_id};
  Report r = w.reap(s);
  CHECK(r.count(Outcome::released) == 1);
  CHECK(r.count(Outcome::skipped) == 3);
  CHECK(w.fake->size() == 2);  // mine[1] was not listed, theirs[0] not owned
  CHECK(w.ledger.get(theirs[0].id)->state == State::active);
  CHECK(w.ledger.get(mine[1].id)->state == State::active);
  Report again = w.reap(s);
  CHECK(again.count(Outcome::already_gone) == 1);  // released earlier
  CHECK(w.fake->removes == 1);
}

TEST_CASE("expired resources are released once their TTL passes without a heartbeat") {
  World w;
  auto kept = w.make("run-1", 1, 60.0);
  auto lost = w.make("run-2", 1, 60.0);
  auto forever = w.make("run-3", 1);
  w.clock.advance(50);
  std::vector<std::string> ids{kept[0].id};
  w.ledger.heartbeat(ids);
  w.clock.advance(20);
  Selection s;
  s.expired = true;
  Report r = w.reap(s);
  REQUIRE(r.count(Outcome::released) == 1);
  CHECK(r.items[0].id == lost[0].id);
  CHECK(r.items[0].why == "expired");
  CHECK(w.fake->size() == 2);
}

TEST_CASE("what a creator that died mid-call left is found by key; what it never asked for is just closed") {
  World w;
  // Died after the provider made it, before the outcome: the row is `creating` without an id.
  Intent in{"fake", "vm", "{}", "run-1", 10.0, ""};
  std::string made = w.ledger.record_intent(in);
  w.ledger.mark_creating(made);
  w.fake->create({"vm", "{}", made, std::nullopt, "run-1"});
  // Died before calling: `intent`, or `creating` with nothing made.
  std::string never = w.ledger.record_intent(in);
  std::string nothing = w.ledger.record_intent(in);
  w.ledger.mark_creating(nothing);
  w.clock.advance(121);  // past the TTL, and past the time a create may still be running
  Selection s;
  s.expired = true;
  Report r = w.reap(s);
  CHECK(r.count(Outcome::released) == 1);
  CHECK(r.count(Outcome::already_gone) == 2);
  CHECK(w.fake->size() == 0);
  CHECK(w.ledger.live().empty());
  for (const auto& item : r.items)
    if (item.id == never) CHECK(item.note == "never created");
}

TEST_CASE("a create that may still be running (its creator killed, its plugin not) is left for a later reaper") {
  World w;
  Intent in{"fake", "vm", "{}", "run-1", std::nullopt, ""};
  std::string id = w.ledger.record_intent(in);
  w.ledger.mark_creating(id);
  w.clock.advance(30);
  Report early = w.reap(runs({"run-1"}));
  REQUIRE(early.items.size() == 1);
  CHECK(early.items[0].outcome == Outcome::skipped);
  CHECK(early.items[0].note == "its create may still be running (started 30 s ago); reap again after 120 s");
  CHECK(w.ledger.get(id)->state == State::creating);
  // The plugin finishes meanwhile; the next reaper, later, finds what it made by key.
  w.fake->create({"vm", "{}", id, std::nullopt, "run-1"});
  w.clock.advance(91);
  Report later = w.reap(runs({"run-1"}));
  CHECK(later.count(Outcome::released) == 1);
  CHECK(w.fake->size() == 0);
  CHECK(w.ledger.live().empty());
}

TEST_CASE("orphans: what a provider holds as wf's that the ledger does not know, or knows as released") {
  World w;
  auto held = w.make("run-1", 1);
  w.fake->hold("console-made", "res-00000000000000c1");
  auto released = w.make("run-2", 1);
  std::vector<std::string> ids{released[0].id};
  w.ledger.claim(ids, "c", 900);
  w.ledger.finish_release(released[0].id, "c");  // released in the ledger, yet still there
  Selection s;
  s.orphans = true;
  Report dry = w.reap(s, true);
  CHECK(dry.count(Outcome::would_release) == 2);
  CHECK(w.fake->size() == 3);
  CHECK(w.ledger.all().size() == 2);  // a dry run records nothing
  Report r = w.reap(s);
  CHECK(r.count(Outcome::released) == 2);
  for (const auto& item : r.items) CHECK(item.why == "orphan");
  CHECK(w.fake->size() == 1);
  CHECK(w.fake->describe(held[0].provider_id));
  CHECK(w.reap(s).items.empty());
}

TEST_CASE("a release that fails is reported, recorded, and retried by the next reaper") {
  World w;
  w.make("run-1", 2);
  w.fake->fail_remove = true;
  Report r = w.reap(runs({"run-1"}));
  CHECK(r.count(Outcome::failed) == 2);
  CHECK(r.exit_code() == 1);
  for (const auto& row : w.ledger.of_run("run-1")) {
    CHECK(row.state == State::failed);
    CHECK(row.error == "release: fake: delete failed");
  }
  w.fake->fail_kind = ProviderError::Kind::unavailable;
  CHECK(w.reap(runs({"run-1"})).exit_code() == 69);
  w.fake->fail_remove = false;
  CHECK(w.reap(runs({"run-1"})).count(Outcome::released) == 2);
  CHECK(w.fake->size() == 0);
}

TEST_CASE("a provider the ledger names but this host cannot run fails its rows with 69") {
  World w;
  Intent in{"exec:/nonexistent/wf-provider-gone", "vm", "{}", "run-1", std::nullopt, ""};
  std::string id = w.ledger.record_intent(in);
  w.ledger.mark_creating(id);
  w.ledger.record_created(id, "i-1", "{}");
  Report r = w.reap(runs({"run-1"}));
  REQUIRE(r.count(Outcome::failed) == 1);
  CHECK(r.exit_code() == 69);
  CHECK(w.ledger.get(id)->state == State::failed);
}

TEST_CASE("local leases are reaped with their scratch directories") {
  World w;
  LocalProvider& local = dynamic_cast<LocalProvider&>(w.providers.get("local"));
  LeaseRequest ask;
  ask.run_id = "run-1";
  ask.cpus = 2;
  ask.disk_bytes = 1 << 20;
  ask.ttl_s = 30;
  Lease lease = acquire_lease(local, ask);
  REQUIRE(std::filesystem::exists(lease.scratch_dir));
  w.clock.advance(31);
  Selection s;
  s.expired = true;
  s.orphans = true;
  Report r = w.reap(s);
  CHECK(r.count(Outcome::released) == 1);
  CHECK_FALSE(std::filesystem::exists(lease.scratch_dir));
  CHECK(w.providers.pool().leases().empty());
}

TEST_CASE("the report reads as a section and as a table") {
  World w;
  auto made = w.make("run-1", 1);
  Report r = w.reap(runs({"run-1"}));
  wf::io::JsonDoc doc(rapidjson::kObjectType);
  wf::io::Json section = report_to_json(r, doc.GetAllocator());
  const wf::io::Json* released = wf::io::get(section, "released");
  REQUIRE(released);
  REQUIRE(released->Size() == 1);
  CHECK(wf::io::get_string((*released)[0], "id") == made[0].id);
  CHECK(wf::io::get_string((*released)[0], "provider_id") == made[0].provider_id);
  CHECK(wf::io::get(section, "already_gone")->Empty());
  CHECK_FALSE(wf::io::get(section, "would_release"));
  std::string table = report_table(r);
  CHECK(table.rfind("ID  ", 0) == 0);
  CHECK(table.find(made[0].id) != std::string::npos);
  CHECK(table.find("1 released, 0 already gone, 0 failed, 0 skipped") != std::string::npos);
}

TEST_CASE("reapers running at once release each resource exactly once") {
  TempDir dir;
  std::string path = dir.file("ledger.db");
  std::vector<std::string> ids;
  {
    Ledger ledger = Ledger::open(path);
    FakeHost host(64, 64ull << 30, 100ull << 30);
    PoolConfig config;
    config.scratch_root = dir.file("scratch");
    LocalPool pool(ledger, config, host);
    LocalProvider local(pool);
    for (int i = 0; i < 30; ++i) {
      LeaseRequest ask;
      ask.run_id = "run-1";
      ask.cpus = 1;
      ask.disk_bytes = 1;
      ask.ttl_s = 600;
      ids.push_back(acquire_lease(local, ask).id);
    }
  }
  constexpr int kReapers = 6;
  std::vector<pid_t> pids;
  for (int c = 0; c < kReapers; ++c) {
    pid_t pid = fork();
    REQUIRE(pid >= 0);
    if (pid == 0) {
      int released = -1;
      try {
        Ledger ledger = Ledger::open(path);
        ProviderConfig config;
        config.pool.scratch_root = dir.file("scratch");
        Providers providers(ledger, config);
        Report r = Reaper(ledger, providers).reap(runs({"run-1"}));
        released = static_cast<int>(r.count(Outcome::released));
        if (r.count(Outcome::failed) > 0) released = 100;
      } catch (...) {
        released = 101;
      }
      _exit(released);
    }
    pids.push_back(pid);
  }
  int total = 0;
  for (pid_t pid : pids) {
    int status = 0;
    REQUIRE(waitpid(pid, &status, 0) == pid);
    REQUIRE(WIFEXITED(status));
    CHECK(WEXITSTATUS(status) <= 30);
    total += WEXITSTATUS(status);
  }
  CHECK(total == 30);
  Ledger ledger = Ledger::open(path);
  CHECK(ledger.live().empty());
  CHECK(ledger.check().empty());
  CHECK(std::filesystem::is_empty(dir.file("scratch")));
}
