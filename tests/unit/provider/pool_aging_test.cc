// Aging in the local pool's queue: a waiting request gains one priority level per aging_s waited,
// so a low-priority request is served in the end however many higher-priority ones arrive.
#include <catch2/catch.hpp>

#include "provider/ledger_schema.h"
#include "provider/local_provider.h"
#include "support.h"

using namespace wf::provider;
using wf::provider::testing::RawDb;
using wf::provider::testing::TempDir;

namespace {

// A host of 4 cpus and 8 GiB, no reserve, polling on a fake clock; aging 10 s unless told.
struct Pool {
  TempDir dir;
  wf::util::FakeClock clock;
  FakeHost host{4, 8ull << 30, 0};
  Ledger ledger;
  LocalPool pool;
  LocalProvider local{pool};

  explicit Pool(double aging_s = 10) : ledger(Ledger::open(dir.file("ledger.db"), options())), pool(ledger, config(aging_s), host) {}
  LedgerOptions options() {
    LedgerOptions o;
    o.clock = &clock;
    return o;
  }
  static PoolConfig config(double aging_s) {
    PoolConfig c;
    c.reserve_mem_bytes = 0;
    c.reserve_disk_bytes = 0;
    c.wakeups = false;
    c.aging_s = aging_s;
    c.stale_waiter_s = 3600;  // queued rows stay while the test advances the clock without polling
    return c;
  }
};

LeaseRequest ask(double cpus, int priority) {
  LeaseRequest r;
  r.run_id = "run";
  r.cpus = cpus;
  r.priority = priority;
  r.ttl_s = 600;
  return r;
}

std::string key(int n) { return fmt::format("res-{:016x}", n); }

std::vector<std::string> ids(const std::vector<Waiter>& queue) {
  std::vector<std::string> out;
  for (const auto& w : queue) out.push_back(w.id);
  return out;
}

}  // namespace

TEST_CASE("aged priority: one level per aging period waited, none without aging") {
  CHECK(aged_priority(0, 0, 300) == 0);
  CHECK(aged_priority(0, 299.9, 300) == 0);
  CHECK(aged_priority(0, 300, 300) == 1);
  CHECK(aged_priority(2, 900, 300) == 5);
  CHECK(aged_priority(-3, 600, 300) == -1);
  CHECK(aged_priority(5, 1e6, 0) == 5);   // aging off
  CHECK(aged_priority(5, -10, 300) == 5);  // a clock that stepped back ages nothing
  CHECK(PoolConfig{}.aging_s == kDefaultAgingS);
}

TEST_CASE("a request that waited long enough goes before a newer one of higher priority") {
  Pool p;
  Lease all = acquire_lease(p.local, ask(4, 0));
  CHECK_FALSE(p.pool.try_take(key(1), ask(4, 0), true));  // priority 0, queued first
  SECTION("not yet aged: the newer priority-1 request is ahead") {
    p.clock.advance(9.5);
    CHECK_FALSE(p.pool.try_take(key(2), ask(4, 1), true));
    CHECK(ids(p.pool.queue()) == std::vector<std::string>{key(2), key(1)});
    release_lease(p.local, all.id);
    CHECK_FALSE(p.pool.try_take(key(1), ask(4, 0), true));
    CHECK(p.pool.try_take(key(2), ask(4, 1), true));
  }
  SECTION("aged one level: equal effective priority, and the older goes first") {
    p.clock.advance(10);
    CHECK_FALSE(p.pool.try_take(key(2), ask(4, 1), true));
    auto queue = p.pool.queue();
    REQUIRE(queue.size() == 2);
    CHECK(queue[0].id == key(1));
    CHECK(queue[0].priority == 0);
    CHECK(queue[0].effective_priority == 1);
    CHECK(queue[0].aging_s == 10);
    CHECK(queue[1].effective_priority == 1);
    release_lease(p.local, all.id);
    CHECK_FALSE(p.pool.try_take(key(2), ask(4, 1), true));
    CHECK(p.pool.try_take(key(1), ask(4, 0), true));
  }
}

// The pool serves one whole-pool lease at a time; every second a new priority-3 request arrives
// and the holder leaves. Returns the round in which the priority-0 request (queued at round 0)
// was served, or none within `rounds`.
std::optional<int> round_served(Pool& p, int rounds) {
  Lease holder = acquire_lease(p.local, ask(4, 0));
  std::string low = key(1000);
  CHECK_FALSE(p.pool.try_take(low, ask(4, 0), true));
  std::vector<std::string> waiting{low};
  for (int round = 1; round <= rounds; ++round) {
    p.clock.advance(1);
    std::string high = key(round);
    CHECK_FALSE(p.pool.try_take(high, ask(4, 3), true));
    waiting.push_back(high);
    p.pool.drop(holder.id);
    std::optional<Lease> next;
    for (const auto& id : waiting)  // every waiter polls; exactly one is let in
      if (auto got = p.pool.try_take(id, ask(4, id == low ? 0 : 3), true)) {
        REQUIRE_FALSE(next);
        next = got;
      }
    REQUIRE(next);
    if (next->id == low) return round;
    waiting.erase(std::find(waiting.begin(), waiting.end(), next->id));
    holder = *next;
  }
  return std::nullopt;
}

TEST_CASE("a stream of higher-priority requests does not starve a low one once it ages") {
  SECTION("aging 10 s: served once three levels are made up and it is the oldest") {
    Pool p(10);
    auto round = round_served(p, 100);
    REQUIRE(round);
    CHECK(*round == 30);
  }
  SECTION("no aging: still waiting after 100 rounds") {
    Pool p(0);
    CHECK_FALSE(round_served(p, 100));
  }
}

TEST_CASE("each queued request ages at its own rate, the same in every process's eyes") {
  Pool p(0);  // this process would not age anything
  PoolConfig fast = Pool::config(5);
  LocalPool other(p.ledger, fast, p.host);
  acquire_lease(p.local, ask(4, 0));
  CHECK_FALSE(other.try_take(key(1), ask(4, 0), true));  // queued with aging 5 s
  LeaseRequest slow = ask(4, 0);
  slow.aging_s = 0;
  CHECK_FALSE(other.try_take(key(2), slow, true));  // asks for none
  p.clock.advance(20);
  CHECK_FALSE(p.pool.try_take(key(3), ask(4, 3), true));
  for (LocalPool* pool : {&p.pool, &other}) {
    auto queue = pool->queue();
    REQUIRE(queue.size() == 3);
    CHECK(ids(queue) == std::vector<std::string>{key(1), key(3), key(2)});
    CHECK(queue[0].effective_priority == 4);
    CHECK(queue[2].effective_priority == 0);
  }
}

TEST_CASE("a lease spec carries its aging; a negative one is refused") {
  LeaseRequest r = lease_request("lease", R"({"cpus":1,"priority":2,"aging_s":"2m"})");
  CHECK(r.aging_s == Approx(120));
  CHECK(lease_request("lease", lease_spec(r)).aging_s == Approx(120));
  CHECK_FALSE(lease_request("lease", R"({"cpus":1})").aging_s);
  Pool p;
  LeaseRequest bad = ask(1, 0);
  bad.aging_s = -1;
  CHECK_THROWS_AS(p.pool.try_take(key(1), bad, true), wf::Error);
}

TEST_CASE("a version-1 ledger gains the waiters' aging column; what was queued never ages") {
  TempDir dir;
  std::string path = dir.file("ledger.db");
  Ledger::open(path);
  {
    RawDb raw(path);
    raw.exec("ALTER TABLE lease_waiters DROP COLUMN aging_s");
    raw.exec("PRAGMA user_version = 1");
    raw.exec("INSERT INTO lease_waiters (id, priority, since_s, seen_s, cpus, mem_bytes, disk_bytes) "
             "VALUES ('res-old', 2, 0, 0, 1, 0, 0)");
  }
  Ledger::open(path);
  RawDb raw(path);
  CHECK(raw.integer("PRAGMA user_version") == ledger_schema_version());
  CHECK(raw.integer("SELECT count(*) FROM lease_waiters WHERE id = 'res-old' AND aging_s = 0") == 1);
}
