#include <catch2/catch.hpp>

#include <algorithm>

#include "provider/provision.h"
#include "provider/provision_json.h"
#include "support.h"

using namespace wf::provider;
using wf::provider::testing::FakeProvider;
using wf::provider::testing::TempDir;

namespace {

std::vector<ResourceRequest> three_vms() {
  return {{"vm", R"({"vcpu":2})", 600}, {"volume", R"({"size_bytes":1000})", 600}, {"bandwidth", "{}", std::nullopt}};
}

ProvisionOptions run(const std::string& id, bool all_or_nothing = true) {
  ProvisionOptions o;
  o.run_id = id;
  o.all_or_nothing = all_or_nothing;
  return o;
}

}  // namespace

TEST_CASE("a plan's resources are created in order, recorded active with the provider's ids, keyed by ledger id") {
  TempDir dir;
  Ledger ledger = Ledger::open(dir.file("ledger.db"));
  FakeProvider fake;
  auto requests = three_vms();
  auto made = create_resources(ledger, fake, requests, run("run-1"));
  REQUIRE(made.size() == 3);
  CHECK(made[0].kind == "vm");
  CHECK(made[1].kind == "volume");
  for (const auto& r : made) {
    CHECK(r.state == State::active);
    CHECK(r.run_id == "run-1");
    CHECK(r.provider == "fake");
    CHECK(fake.holds_key(r.id));
    CHECK(fake.describe(r.provider_id));
  }
  CHECK(made[0].ttl_s == Approx(600));
  CHECK_FALSE(made[2].ttl_s);
}

TEST_CASE("a failure midway undoes the plan: created ones deleted, the failing one recorded, the rest closed") {
  TempDir dir;
  Ledger ledger = Ledger::open(dir.file("ledger.db"));
  FakeProvider fake;
  fake.fail_create_at = 2;
  auto requests = three_vms();
  try {
    create_resources(ledger, fake, requests, run("run-1"));
    FAIL("no error");
  } catch (const ProviderError& e) {
    CHECK(std::string(e.what()).find("res-") == 0);  // names the resource
    CHECK(wf::util::code(e.exit()) == 69);
  }
  auto rows = ledger.all();
  REQUIRE(rows.size() == 3);
  CHECK(fake.size() == 0);
  auto in = [&](State s) { return std::count_if(rows.begin(), rows.end(), [&](const Resource& r) { return r.state == s; }); };
  CHECK(in(State::failed) == 1);  // the provider gave no guarantee that nothing was left: wf-reap looks again
  CHECK(in(State::released) == 2);
}

TEST_CASE("a provider that creates and then crashes leaves the row failed, findable by its key") {
  TempDir dir;
  Ledger ledger = Ledger::open(dir.file("ledger.db"));
  FakeProvider fake;
  fake.fail_create_at = 1;
  fake.create_then_fail = true;
  ResourceRequest vm{"vm", "{}", 60};
  CHECK_THROWS_AS(create_resource(ledger, fake, vm, "run-1"), ProviderError);
  auto rows = ledger.live();
  REQUIRE(rows.size() == 1);
  CHECK(rows[0].state == State::failed);
  CHECK(rows[0].provider_id.empty());
  CHECK(fake.holds_key(rows[0].id));
  Release r = release_resource(ledger, fake, rows[0].id);  // found by key in list()
  CHECK(r.outcome == Removed::deleted);
  CHECK(fake.size() == 0);
  CHECK(ledger.get(rows[0].id)->state == State::released);
}

TEST_CASE("a failure the provider guarantees left nothing closes the row; without all_or_nothing the rest stays") {
  TempDir dir;
  Ledger ledger = Ledger::open(dir.file("ledger.db"));
  FakeProvider fake;
  fake.fail_create_at = 3;
  fake.nothing_created = true;
  fake.fail_kind = ProviderError::Kind::retryable;
  auto requests = three_vms();
  try {
    create_resources(ledger, fake, requests, run("run-1", false));
    FAIL("no error");
  } catch (const ProviderError& e) {
    CHECK(wf::util::code(e.exit()) == 75);
  }
  CHECK(fake.size() == 2);
  CHECK(ledger.live().size() == 2);
  CHECK(ledger.all().size() == 3);
}

TEST_CASE("release is idempotent and refuses another provider's resource") {
  TempDir dir;
  Ledger ledger = Ledger::open(dir.file("ledger.db"));
  FakeProvider fake, other("other");
  Resource r = create_resource(ledger, fake, {"vm", "{}", std::nullopt}, "run-1");
  CHECK_THROWS_AS(release_resource(ledger, other, r.id), wf::Error);
  CHECK(release_resource(ledger, fake, r.id).outcome == Removed::deleted);
  CHECK(release_resource(ledger, fake, r.id).outcome == Removed::already_gone);
  CHECK(fake.removes == 1);
  CHECK_THROWS_AS(release_resource(ledger, fake, "res-0123456789abcdef"), wf::Error);
}

TEST_CASE("a row claimed before its call is never created; one claimed during the call is deleted again") {
  TempDir dir;
  Ledger ledger = Ledger::open(dir.file("ledger.db"));
  FakeProvider fake;
  Intent in{"fake", "vm", "{}", "run-1", std::nullopt, ""};
  std::string id = ledger.record_intent(in);
  std::vector<std::string> ids{id};
  auto claimed = ledger.claim(ids, "claim-x", 900);
  REQUIRE(claimed.size() == 1);
  CHECK_FALSE(ledger.mark_creating(id));
  auto listing = [&]() -> const std::vector<ProviderResource>& {
    static std::vector<ProviderResource> none;
    return none;
  };
  Release r = release_claimed(ledger, fake, claimed[0], "claim-x", listing);
  CHECK(r.outcome == Removed::already_gone);
  CHECK(r.note == "never created");
  CHECK(fake.creates == 0);
  CHECK(fake.removes == 0);
}

TEST_CASE("resize goes through the provider and records the new spec") {
  TempDir dir;
  Ledger ledger = Ledger::open(dir.file("ledger.db"));
  FakeProvider fake;
  Resource r = create_resource(ledger, fake, {"vm", R"({"vcpu":2})", std::nullopt}, "run-1");
  Resource bigger = resize_resource(ledger, fake, r.id, R"({"vcpu":4})");
  CHECK(bigger.spec_json == R"({"vcpu":4})");
  CHECK(bigger.detail_json == R"({"vcpu":4})");
  CHECK_THROWS_AS(resize_resource(ledger, fake, r.id, "not json"), wf::Error);
}

TEST_CASE("the provision section lists the run and the ledger ids") {
  TempDir dir;
  Ledger ledger = Ledger::open(dir.file("ledger.db"));
  FakeProvider fake;
  auto requests = three_vms();
  auto made = create_resources(ledger, fake, requests, run("run-7"));
  wf::io::JsonDoc doc(rapidjson::kObjectType);
  wf::io::put(doc, "cpus", 4, doc.GetAllocator());
  write_provision(doc, "run-7", made, doc.GetAllocator());
  CHECK(wf::io::get_number(doc, "cpus") == Approx(4));
  CHECK(wf::io::get_string(doc, "run_id") == "run-7");
  const wf::io::Json* list = wf::io::get(doc, "resources");
  REQUIRE(list);
  REQUIRE(list->Size() == 3);
  CHECK(wf::io::get_string((*list)[0], "id") == made[0].id);
  CHECK(wf::io::get_string((*list)[0], "state") == "active");
  CHECK(wf::io::get_number(*wf::io::get((*list)[0], "spec"), "vcpu") == Approx(2));
}
