#include <catch2/catch.hpp>

#include "provider/heartbeat.h"
#include "provider/local_provider.h"
#include "provider/provision.h"
#include "support.h"

using namespace wf::provider;
using wf::provider::testing::FakeProvider;
using wf::provider::testing::TempDir;

TEST_CASE("a heartbeat keeps a run's leases and resources from expiring, and reports what it lost") {
  TempDir dir;
  wf::util::FakeClock clock;
  LedgerOptions lo;
  lo.clock = &clock;
  Ledger ledger = Ledger::open(dir.file("ledger.db"), lo);
  FakeHost host(4, 8ull << 30, 100ull << 30);
  PoolConfig pc;
  pc.scratch_root = dir.file("scratch");
  pc.wakeups = false;
  LocalPool pool(ledger, pc, host);
  LocalProvider local(pool);
  FakeProvider fake;
  LeaseRequest ask;
  ask.run_id = "run-1";
  ask.cpus = 4;
  ask.ttl_s = 30;
  Lease lease = acquire_lease(local, ask);
  Resource vm = create_resource(ledger, fake, {"vm", "{}", 90}, "run-1");

  wf::io::JsonDoc doc;
  doc.Parse(fmt::format(R"({{"resources":[{{"id":"{}"}},{{"id":"{}"}},{{"no":"id"}}]}})", lease.id, vm.id).c_str());
  Heartbeat beat(ledger, &pool, provision_ids(doc));
  CHECK(beat.ids().size() == 2);
  CHECK(beat.interval_s() == Approx(10));
  CHECK(beat.tick().empty());  // not due yet
  for (int i = 0; i < 30; ++i) {  // 5 minutes, 10 s at a time
    clock.advance(10);
    CHECK(beat.tick().empty());
  }
  CHECK(ledger.expired().empty());
  CHECK(pool.status().expired == 0);

  // A reaper takes the vm; the lease expires while the run is stalled and is given away.
  release_resource(ledger, fake, vm.id);
  clock.advance(40);
  LeaseRequest other = ask;
  other.run_id = "run-2";
  acquire_lease(local, other);
  auto problems = beat.tick();
  REQUIRE(problems.size() == 2);
  CHECK(problems[0].find("expired") != std::string::npos);
  CHECK(problems[1] == vm.id + ": released while the run holds it");
  CHECK(beat.ids().empty());
}
