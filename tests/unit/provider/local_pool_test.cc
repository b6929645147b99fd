#include <catch2/catch.hpp>

#include <filesystem>

#include "provider/local_provider.h"
#include "support.h"

using namespace wf::provider;
using wf::provider::testing::TempDir;

namespace {

constexpr std::uint64_t GiB = 1ull << 30;

// A host of 4 cpus, 8 GiB, 100 GiB free; no reserve unless a test sets one.
struct Pool {
  TempDir dir;
  wf::util::FakeClock clock;
  FakeHost host{4, 8 * GiB, 100 * GiB};
  Ledger ledger;
  LocalPool pool;
  LocalProvider local{pool};

  Pool() : ledger(Ledger::open(dir.file("ledger.db"), options())), pool(ledger, config(), host) {}
  LedgerOptions options() {
    LedgerOptions o;
    o.clock = &clock;
    return o;
  }
  PoolConfig config() {
    PoolConfig c;
    c.scratch_root = dir.file("scratch");
    c.reserve_mem_bytes = 0;
    c.reserve_disk_bytes = 0;
    c.wakeups = false;  // waiting sleeps on the fake clock
    return c;
  }
};

LeaseRequest ask(double cpus, std::uint64_t mem = 0, int priority = 0, std::optional<double> wait = std::nullopt) {
  LeaseRequest r;
  r.run_id = "run";
  r.cpus = cpus;
  r.mem_bytes = mem;
  r.priority = priority;
  r.ttl_s = 60;
  r.wait_s = wait;
  return r;
}

int exit_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const wf::Error& e) {
    return wf::util::code(e.exit());
  }
  return 0;
}

}  // namespace

TEST_CASE("leases are granted while the sum fits the capacity less the reserve, then refused with 75") {
  Pool p;
  PoolConfig reserved = p.config();
  reserved.reserve_cpus = 1;
  reserved.reserve_mem_bytes = 1 * GiB;
  LocalPool pool(p.ledger, reserved, p.host);
  LocalProvider local(pool);
  CHECK(pool.capacity().cpus == Approx(3));
  CHECK(pool.capacity().mem_bytes == Approx(7.0 * GiB));
  Lease a = acquire_lease(local, ask(2, 4 * GiB));
  CHECK(a.cpus == Approx(2));
  CHECK(p.ledger.get(a.id)->state == State::active);
  CHECK(p.ledger.get(a.id)->provider == "local");
  CHECK(p.ledger.get(a.id)->provider_id == a.id);
  CHECK(exit_of([&] { acquire_lease(local, ask(1.5)); }) == 75);
  CHECK(exit_of([&] { acquire_lease(local, ask(1, 4 * GiB)); }) == 75);  // cpus fit, memory does not
  acquire_lease(local, ask(1, 3 * GiB));                                   // exactly what is left
  PoolStatus s = pool.status();
  CHECK(s.leases == 2);
  CHECK(s.used.cpus == Approx(3));
  CHECK(s.used.mem_bytes == Approx(7.0 * GiB));
  // The refused requests left no lease and closed ledger rows.
  CHECK(pool.leases().size() == 2);
  CHECK(p.ledger.live().size() == 2);
  CHECK(p.ledger.all().size() == 4);
}

TEST_CASE("a request larger than the whole pool fails with 69; one of nothing with 65") {
  Pool p;
  CHECK(exit_of([&] { acquire_lease(p.local, ask(5)); }) == 69);
  CHECK(exit_of([&] { acquire_lease(p.local, ask(1, 9 * GiB)); }) == 69);
  CHECK(exit_of([&] { p.pool.take("res-0000000000000001", ask(0)); }) == 65);
  CHECK(exit_of([&] { p.pool.take("res-0000000000000001", ask(-1)); }) == 65);
  CHECK(p.ledger.live().empty());
}

TEST_CASE("an expired lease returns to the pool; renewing it takes it back only if there is room") {
  Pool p;
  Lease a = acquire_lease(p.local, ask(4));
  CHECK(exit_of([&] { acquire_lease(p.local, ask(1)); }) == 75);
  p.clock.advance(61);  // a's holder stopped renewing
  CHECK(p.pool.status().expired == 1);
  CHECK(p.ledger.expired().size() == 1);
  Lease b = acquire_lease(p.local, ask(3));
  CHECK(exit_of([&] { renew_lease(p.local, a.id); }) == 75);
  release_lease(p.local, b.id);
  Lease back = renew_lease(p.local, a.id);
  CHECK(back.expires_s == Approx(p.clock.wall() + 60));
  CHECK(p.ledger.get(a.id)->expires_s() == Approx(p.clock.wall() + 60));
  CHECK(p.ledger.expired().empty());
}

TEST_CASE("renewing keeps a lease; releasing frees it, twice is already gone, renewing it then is 69") {
  Pool p;
  Lease a = acquire_lease(p.local, ask(4));
  for (int i = 0; i < 5; ++i) {
    p.clock.advance(50);
    renew_lease(p.local, a.id);
  }
  CHECK(exit_of([&] { acquire_lease(p.local, ask(1)); }) == 75);
  CHECK(release_lease(p.local, a.id).outcome == Removed::deleted);
  CHECK(p.ledger.get(a.id)->state == State::released);
  CHECK(release_lease(p.local, a.id).outcome == Removed::already_gone);
  CHECK(exit_of([&] { renew_lease(p.local, a.id); }) == 69);
  acquire_lease(p.local, ask(4));
}

TEST_CASE("a waiting request of higher priority keeps lower ones from taking capacity") {
  Pool p;
  Lease all = acquire_lease(p.local, ask(4));
  std::string low = "res-000000000000000a", high = "res-000000000000000b";
  CHECK_FALSE(p.pool.try_take(low, ask(1, 0, 0), true));
  p.clock.advance(1);
  CHECK_FALSE(p.pool.try_take(high, ask(1, 0, 5), true));
  release_lease(p.local, all.id);
  CHECK_FALSE(p.pool.try_take(low, ask(1, 0, 0), true));  // older, but lower priority
  CHECK_FALSE(p.pool.try_take("res-000000000000000c", ask(1, 0, 0), false));  // fail-fast: queued behind both
  CHECK(p.pool.try_take(high, ask(1, 0, 5), true));
  CHECK(p.pool.try_take(low, ask(1, 0, 0), true));
  CHECK(p.pool.status().waiting == 0);
}

TEST_CASE("at equal priority the older request is served first, so nothing starves") {
  Pool p;
  Lease all = acquire_lease(p.local, ask(4));
  std::string big = "res-00000000000000b1", small = "res-00000000000000a1";
  CHECK_FALSE(p.pool.try_take(big, ask(4), true));
  p.clock.advance(1);
  CHECK_FALSE(p.pool.try_take(small, ask(1), true));
  release_lease(p.local, all.id);
  CHECK_FALSE(p.pool.try_take(small, ask(1), true));  // would fit, but the big one waited longer
  CHECK(p.pool.try_take(big, ask(4), true));
}

TEST_CASE("a queued request whose process died stops blocking after stale_waiter_s") {
  Pool p;
  Lease all = acquire_lease(p.local, ask(4));
  CHECK_FALSE(p.pool.try_take("res-00000000000000d1", ask(4, 0, 9), true));  // then its holder dies
  release_lease(p.local, all.id);
  CHECK_FALSE(p.pool.try_take("res-00000000000000d2", ask(1), false));
  p.clock.advance(p.pool.config().stale_waiter_s + 1);
  CHECK(p.pool.try_take("res-00000000000000d2", ask(1), false));
}

TEST_CASE("waiting polls until its deadline, then gives up with 75 and leaves the queue") {
  Pool p;
  acquire_lease(p.local, ask(4));
  double start = p.clock.monotonic();
  try {
    acquire_lease(p.local, ask(1, 0, 0, 5.0));
    FAIL("granted");
  } catch (const ProviderError& e) {
    CHECK(wf::util::code(e.exit()) == 75);
    CHECK(std::string(e.what()).find("after waiting 5s") != std::string::npos);
  }
  CHECK(p.clock.monotonic() - start == Approx(5).margin(0.01));
  CHECK(p.pool.status().waiting == 0);
}

TEST_CASE("a wait ends as soon as room appears") {
  Pool p;
  acquire_lease(p.local, ask(4, 0));
  LeaseRequest r = ask(1, 0, 0, 300.0);
  r.ttl_s = 30;
  // The first lease (TTL 60) is not renewed: the waiter gets in once it expires.
  Lease got = acquire_lease(p.local, r);
  CHECK(got.cpus == Approx(1));
  CHECK(p.clock.monotonic() - 1'700'000'000.0 == Approx(60).margin(1));
}

TEST_CASE("disk leases get a private scratch directory, checked against free space, removed on release") {
  Pool p;
  LeaseRequest r = ask(0);
  r.disk_bytes = 60 * GiB;
  Lease a = acquire_lease(p.local, r);
  CHECK(p.ledger.get(a.id)->kind == "scratch");
  REQUIRE_FALSE(a.scratch_dir.empty());
  CHECK(std::filesystem::is_directory(a.scratch_dir));
  CHECK((std::filesystem::status(a.scratch_dir).permissions() & std::filesystem::perms::all) ==
        std::filesystem::perms::owner_all);
  std::ofstream(a.scratch_dir + "/data") << "x";
  r.disk_bytes = 50 * GiB;
  CHECK(exit_of([&] { acquire_lease(p.local, r); }) == 75);  // 60 + 50 > 100 free
  p.host.set_free_disk_bytes(20 * GiB);  // something else filled the disk
  r.disk_bytes = 30 * GiB;
  CHECK(exit_of([&] { acquire_lease(p.local, r); }) == 75);
  release_lease(p.local, a.id);
  CHECK_FALSE(std::filesystem::exists(a.scratch_dir));
}

TEST_CASE("resize shrinks always, grows only into room") {
  Pool p;
  Lease a = acquire_lease(p.local, ask(2));
  acquire_lease(p.local, ask(1));
  CHECK(p.pool.resize(a.id, 1, 0, 0).cpus == Approx(1));
  CHECK(p.pool.resize(a.id, 3, 0, 0).cpus == Approx(3));
  CHECK(exit_of([&] { p.pool.resize(a.id, 3.5, 0, 0); }) == 75);
  ProviderResource r = p.local.resize(a.id, R"({"cpus":2,"mem_bytes":"1GiB"})", a.id);
  CHECK(p.pool.find(a.id)->mem_bytes == GiB);
  CHECK(r.resource_json.find("\"cpus\":2") != std::string::npos);
}

TEST_CASE("take is idempotent on its key") {
  Pool p;
  std::string key = "res-00000000000000e1";
  Lease a = p.pool.take(key, ask(2));
  p.clock.advance(5);
  Lease b = p.pool.take(key, ask(2));
  CHECK(a.created_s == b.created_s);
  CHECK(p.pool.leases().size() == 1);
}

TEST_CASE("list reports leases and stray scratch directories; removing a stray one deletes it") {
  Pool p;
  Lease a = acquire_lease(p.local, ask(1));
  std::string stray = p.dir.file("scratch/res-00000000000000f1");
  std::filesystem::create_directories(stray);
  std::filesystem::create_directories(p.dir.file("scratch/not-ours"));
  auto held = p.local.list();
  REQUIRE(held.size() == 2);  // sorted by id
  CHECK(held[0].id == "res-00000000000000f1");
  CHECK(held[0].kind == "scratch");
  CHECK(held[1].id == a.id);
  CHECK(held[1].idempotency_key == a.id);
  CHECK(held[1].kind == "lease");
  CHECK(p.local.remove("res-00000000000000f1", "") == Removed::deleted);
  CHECK_FALSE(std::filesystem::exists(stray));
  CHECK(std::filesystem::exists(p.dir.file("scratch/not-ours")));
  CHECK(p.local.remove("res-00000000000000f1", "") == Removed::already_gone);
}

TEST_CASE("the local provider reads lease specs with units and refuses what it cannot make") {
  LeaseRequest r = lease_request("lease", R"({"cpus":"500m","mem_bytes":"2GiB","disk_bytes":0,"priority":3,"wait_s":"1m"})");
  CHECK(r.cpus == Approx(0.5));
  CHECK(r.mem_bytes == 2 * GiB);
  CHECK(r.priority == 3);
  CHECK(r.wait_s == Approx(60));
  CHECK(lease_request("lease", lease_spec(r)).mem_bytes == 2 * GiB);
  CHECK(exit_of([] { lease_request("lease", R"({"cpus":true})"); }) == 65);
  CHECK(exit_of([] { lease_request("lease", R"({"mem_bytes":-5})"); }) == 65);
  CHECK(exit_of([] { lease_request("vm", "{}"); }) == 69);
  Pool p;
  CreateRequest no_ttl{"lease", R"({"cpus":1})", "res-00000000000000a9", std::nullopt, "run"};
  CHECK(exit_of([&] { p.local.create(no_ttl); }) == 69);
}
