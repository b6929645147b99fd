#include <catch2/catch.hpp>

#include <filesystem>
#include <random>

#include "plan/bytes.h"
#include "plan/plan.h"
#include "util/error.h"

using namespace wf::plan;

namespace {

Catalog two_sites() {
  return parse_catalog_yaml(R"(types:
  - name: c.2
    vcpu: 2
    memory: 4GiB
    regions:
      site-a: {on_demand: 0.08, spot: 0.03, spot_interruption: "<5%"}
      site-b: {on_demand: 0.085, spot: 0.025, spot_interruption: ">20%"}
  - name: m.2
    vcpu: 2
    memory: 8GiB
    regions:
      site-a: {on_demand: 0.10, spot: 0.04, spot_interruption: 5-10%}
      site-b: {on_demand: 0.10}
  - name: m.16
    vcpu: 16
    memory: 64GiB
    regions:
      site-a: {on_demand: 0.78, spot: 0.30, spot_interruption: 10-15%}
      site-b: {on_demand: 0.80, spot: 0.28, spot_interruption: 15-20%}
  - name: g.8
    vcpu: 8
    memory: 32GiB
    gpu: 1
    regions:
      site-a: {on_demand: 1.2}
transfer:
  - {from: site-a, to: site-b, usd_per_gb: 0.02}
)", "two-sites.yaml");
}

DemandStep step(double t0, double t1, double cpus, double mem_gib, double gpus = 0) {
  return {t0, t1, cpus, mem_gib * kGiB, gpus};
}

// A fork-join shape: narrow, a short wide peak, narrow.
Demand fork_join() {
  Demand d;
  d.steps = {step(0, 1800, 4, 16), step(1800, 2700, 96, 256), step(2700, 4500, 6, 20)};
  return d;
}

std::string error_of(const Catalog& c, const Demand& d) {
  try {
    make_plan(c, d);
  } catch (const wf::Error& e) {
    CHECK(e.exit() == wf::util::Exit::data);
    return e.what();
  }
  return "no error";
}

Demand random_demand(std::mt19937& rng) {
  Demand d;
  double t = static_cast<double>(rng() % 600);
  int steps = 1 + static_cast<int>(rng() % 25);
  for (int i = 0; i < steps; ++i) {
    double len = 30 + static_cast<double>(rng() % 10800);
    double cpus = static_cast<double>(rng() % 120);
    double mem = cpus * (1 + static_cast<double>(rng() % 8)) + static_cast<double>(rng() % 5);
    d.steps.push_back(step(t, t + len, cpus, mem));
    t += len + (rng() % 4 == 0 ? static_cast<double>(rng() % 3600) : 0);
  }
  if (rng() % 3 == 0) {
    d.max_task_cpus = 8;
    d.max_task_mem_bytes = 24 * kGiB;
  }
  if (rng() % 2 == 0) d.billing = Billing::per_hour();
  d.task_runtime_s = static_cast<double>(rng() % 3600);
  d.deadline_s = d.end_s() + static_cast<double>(rng() % 7200);
  return d;
}

void check_plan_invariants(const Catalog& c, const Demand& d) {
  Plan p = make_plan(c, d);
  auto gap = find_uncovered(p, d);
  INFO(gap.value_or(""));
  CHECK_FALSE(gap);
  CHECK(p.lower_bound_usd <= p.total_usd + 1e-9);
  CHECK(p.lower_bound_usd == Approx(lower_bound_usd(c, d)));
  REQUIRE(p.naive);
  CHECK(p.lower_bound_usd <= p.naive->total_usd + 1e-9);
  double sum = 0;
  for (const auto& it : p.items) {
    CHECK(it.count > 0);
    CHECK(it.start_s < it.end_s);
    CHECK(it.start_s >= d.start_s());
    CHECK(it.end_s <= d.end_s());
    CHECK(it.region == p.region);
    CHECK_FALSE(it.why.empty());
    sum += it.compute_usd + it.interruption_usd;
  }
  CHECK(p.total_usd == Approx(sum + p.transfer_usd));
}

}  // namespace

TEST_CASE("coverage: every instant of random timelines is covered, the bound is below the plan") {
  Catalog c = two_sites();
  std::mt19937 rng(20261129);
  for (int i = 0; i < 60; ++i) check_plan_invariants(c, random_demand(rng));
}

TEST_CASE("coverage on the shipped catalogs") {
  std::string dir = WF_SHARED_DIR "/catalogs";
  if (!std::filesystem::exists(dir + "/aws-ec2.csv")) {
    WARN("no shared catalogs: skipped");
    return;
  }
  Catalog c = merge_all({read_catalog(dir + "/aws-ec2.csv"), read_catalog(dir + "/gcp-compute.csv")});
  std::mt19937 rng(42);
  for (int i = 0; i < 25; ++i) {
    Demand d = random_demand(rng);
    d.data_gb = static_cast<double>(rng() % 100);
    d.data_region = "us-east-1";
    d.transfer_usd_per_gb = 0.02;
    check_plan_invariants(c, d);
  }
}

TEST_CASE("find_uncovered reports a plan that falls short") {
  Catalog c = two_sites();
  Demand d = fork_join();
  Plan p = make_plan(c, d);
  REQUIRE_FALSE(find_uncovered(p, d));
  for (auto& it : p.items)
    if (it.start_s == 1800) it.count = 0;  // drop what the peak adds
  auto gap = find_uncovered(p, d);
  REQUIRE(gap);
  INFO(*gap);
  CHECK(gap->rfind("[1800 s, ", 0) == 0);
  CHECK(gap->find("is short of the demand 96 cpus, 256 GiB, 0 gpus") != std::string::npos);
}

TEST_CASE("the plan follows the timeline: cheaper than holding the peak, windows where needed") {
  Catalog c = two_sites();
  Demand d = fork_join();
  d.options = {PurchaseOption::on_demand};
  Plan p = make_plan(c, d);
  REQUIRE(p.naive);
  CHECK(p.total_usd < 0.5 * p.naive->total_usd);
  bool peak_only = false;
  for (const auto& it : p.items) peak_only = peak_only || (it.start_s == 1800 && it.end_s == 2700);
  CHECK(peak_only);
  CHECK(p.ratio_to_naive == Approx(p.total_usd / p.naive->total_usd));
}

TEST_CASE("a flat on-demand demand costs what the naive baseline costs") {
  Catalog c = two_sites();
  Demand d;
  d.steps = {step(0, 7200, 32, 128)};
  d.options = {PurchaseOption::on_demand};
  d.regions = {"site-a"};
  Plan p = make_plan(c, d);
  REQUIRE(p.items.size() == 1);
  CHECK(p.items[0].instance_type == "m.16");
  CHECK(p.items[0].count == 2);
  CHECK(p.total_usd == Approx(2 * 0.78 * 2));
  CHECK(p.naive->total_usd == Approx(p.total_usd));
  CHECK(p.ratio_to_bound == Approx(1));
  CHECK(p.items[0].why == "on-demand: spot not allowed; m.16 (16 vCPU, 64 GiB): lowest $/GiB of 4 offers; held for the whole run");
}

TEST_CASE("spot is chosen with its interruption risk priced and explained") {
  Catalog c = two_sites();
  Demand d;
  d.steps = {step(0, 3600, 32, 128)};
  d.regions = {"site-a"};
  d.task_runtime_s = 600;
  d.deadline_s = 7200;
  Plan p = make_plan(c, d);
  REQUIRE(p.items.size() == 1);
  const PlanItem& it = p.items[0];
  CHECK(it.option == PurchaseOption::spot);
  CHECK(it.instance_type == "m.16");
  CHECK(it.interruption_bucket == "10-15%");
  CHECK(it.interruption_usd > 0);
  CHECK(it.interruption_usd < 0.01);
  CHECK(p.interruption_usd == Approx(it.interruption_usd));
  CHECK(it.why.rfind("spot: 62% cheaper than on-demand ($0.3/h vs $0.78/h), interruption 10-15%/month; expected re-run cost $", 0) == 0);
}

TEST_CASE("spot is left out when a re-run would miss the deadline") {
  Catalog c = two_sites();
  Demand d;
  d.steps = {step(0, 3600, 32, 128)};
  d.regions = {"site-a"};
  d.task_runtime_s = 1800;
  d.deadline_s = 4000;
  Plan p = make_plan(c, d);
  for (const auto& it : p.items) CHECK(it.option == PurchaseOption::on_demand);
  REQUIRE_FALSE(p.notes.empty());
  CHECK(p.notes.back() == "spot left out: re-running a 30 min task after an interruption would miss the deadline (6.7 min of slack)");
  CHECK(p.items[0].why.rfind("on-demand: spot left out", 0) == 0);
}

TEST_CASE("region and option filters are respected") {
  Catalog c = two_sites();
  Demand d = fork_join();
  d.deadline_s = 9000;
  d.regions = {"site-b"};
  Plan p = make_plan(c, d);
  CHECK(p.region == "site-b");
  REQUIRE(p.regions.size() == 1);
  for (const auto& it : p.items) CHECK(it.region == "site-b");
  d.regions = {};
  d.options = {PurchaseOption::spot};
  p = make_plan(c, d);
  for (const auto& it : p.items) CHECK(it.option == PurchaseOption::spot);
  CHECK(p.regions.size() == 2);
  d.regions = {"site-c"};
  CHECK(error_of(c, d) == "demand allows region 'site-c', which no catalog offers (did you mean 'site-a'?)");
  d.regions = {"site-b"};
  d.options = {PurchaseOption::reserved};
  CHECK(error_of(c, d) == "no allowed region can cover the demand: region site-b skipped: no offer with an allowed purchase option");
}

TEST_CASE("billing minimums: a short window costs the minimum") {
  Catalog c = two_sites();
  Demand d;
  d.steps = {step(0, 10, 2, 4)};
  d.regions = {"site-a"};
  d.options = {PurchaseOption::on_demand};
  Plan p = make_plan(c, d);
  REQUIRE(p.items.size() == 1);
  CHECK(p.items[0].instance_type == "c.2");
  CHECK(p.total_usd == Approx(0.08 * 60 / 3600));
  d.billing = Billing::per_hour();
  p = make_plan(c, d);
  CHECK(p.total_usd == Approx(0.08));
  // The bound knows the minimum too: one instance is billed a full hour.
  CHECK(p.lower_bound_usd == Approx(0.08));
}

TEST_CASE("per-hour billing: instances paid to the end of their hour cover what follows") {
  Catalog c = two_sites();
  Demand d;
  d.regions = {"site-a"};
  d.options = {PurchaseOption::on_demand};
  d.billing = Billing::per_hour();
  // A 10-minute peak on two m.16, then 50 minutes that two c.2 would cover: the m.16 are paid for
  // the hour anyway, so nothing else is bought.
  d.steps = {step(0, 600, 32, 128), step(600, 3600, 4, 8)};
  Plan p = make_plan(c, d);
  CHECK_FALSE(find_uncovered(p, d));
  CHECK(p.total_usd == Approx(2 * 0.78));
  for (const auto& it : p.items) CHECK(it.instance_type == "m.16");
  // Per second the same timeline switches to the small type after the peak.
  d.billing = Billing::per_second();
  p = make_plan(c, d);
  CHECK(p.total_usd == Approx(2 * 0.78 / 6 + 2 * 0.08 * 50 / 60));
}

TEST_CASE("hysteresis: a short dip keeps the instances, a long one releases them") {
  Catalog c = two_sites();
  Demand d;
  d.regions = {"site-a"};
  d.options = {PurchaseOption::on_demand};
  d.steps = {step(0, 3600, 32, 128), step(3720, 7200, 32, 128)};
  Plan p = make_plan(c, d);
  REQUIRE(p.items.size() == 1);
  CHECK(p.items[0].end_s - p.items[0].start_s == 7200);
  PlanOptions no_hysteresis;
  no_hysteresis.merge_gap_s = 0;
  CHECK(make_plan(c, d, no_hysteresis).items.size() == 2);
  d.steps[1] = step(5400, 7200, 32, 128);
  CHECK(make_plan(c, d).items.size() == 2);
}

TEST_CASE("budget: a clear failure when no plan fits") {
  Catalog c = two_sites();
  Demand d;
  d.steps = {step(0, 3600, 3, 4)};  // 3 cpus: two 2-cpu instances, while the bound buys 1.5
  d.regions = {"site-a"};
  d.options = {PurchaseOption::on_demand};
  Plan p = make_plan(c, d);
  REQUIRE(p.total_usd > p.lower_bound_usd);
  d.budget_usd = p.total_usd;
  CHECK_NOTHROW(make_plan(c, d));
  d.budget_usd = (p.total_usd + p.lower_bound_usd) / 2;
  CHECK(error_of(c, d) ==
        "the cheapest plan found costs $0.16 in site-a, over the budget $0.14 (lower bound $0.12): raise the budget, or "
        "allow more purchase options or regions");
  d.budget_usd = 0.1;
  CHECK(error_of(c, d) ==
        "budget $0.1 is below the lower bound $0.12 for this demand: no plan fits (cheapest plan found: $0.16 in site-a)");
}

TEST_CASE("transfer: moving the data counts, and can decide the region") {
  Catalog c = two_sites();
  Demand d;
  d.steps = {step(0, 3600, 32, 128)};
  d.options = {PurchaseOption::on_demand};
  d.data_region = "site-a";
  d.data_gb = 100;  // $2 to move to site-b, more than site-b saves
  Plan p = make_plan(c, d);
  CHECK(p.region == "site-a");
  CHECK(p.transfer_usd == 0);
  d.data_region = "site-b";
  d.data_gb = 10;
  d.transfer_usd_per_gb = 0.001;  // site-b -> site-a has no catalog price: the demand's applies
  p = make_plan(c, d);
  CHECK(p.region == "site-a");
  CHECK(p.transfer_usd == Approx(0.01));
  CHECK(p.why == "site-a: cheapest of 2 regions planned (next: site-b at $1.60); data: 10 GB moved from site-b at $0.001/GB = $0.01");
  d.transfer_usd_per_gb.reset();
  CHECK(error_of(c, d) ==
        "no price for moving data from site-b to site-a: give transfer_usd_per_gb in the demand or a catalog");
}

TEST_CASE("reserved: a committed base for a steady load, on-demand above it") {
  Catalog c = merge_all({two_sites(), parse_catalog_yaml(
      "types:\n  - {name: m.16, vcpu: 16, memory: 64GiB, regions: {site-a: {reserved: 0.45}}}\n", "reserved.yaml")});
  Demand d;
  d.regions = {"site-a"};
  d.options = {PurchaseOption::on_demand, PurchaseOption::reserved};
  d.steps = {step(0, 36000, 32, 128), step(36000, 37800, 64, 256)};
  Plan p = make_plan(c, d);
  CHECK_FALSE(find_uncovered(p, d));
  const PlanItem* reserved = nullptr;
  for (const auto& it : p.items)
    if (it.option == PurchaseOption::reserved) reserved = &it;
  REQUIRE(reserved);
  CHECK(reserved->count == 2);
  CHECK(reserved->start_s == 0);
  CHECK(reserved->end_s == 37800);
  CHECK(reserved->why.rfind("reserved: $0.45/h committed for the whole run, 42% below on-demand", 0) == 0);
  CHECK(p.lower_bound_usd <= p.total_usd);
}

TEST_CASE("the largest task must fit one instance; gpus need gpu types") {
  Catalog c = two_sites();
  Demand d;
  d.steps = {step(0, 3600, 8, 16), step(3600, 7200, 2, 4)};
  d.regions = {"site-a"};
  d.options = {PurchaseOption::on_demand};
  d.max_task_cpus = 12;
  Plan p = make_plan(c, d);
  CHECK_FALSE(find_uncovered(p, d));
  for (const auto& it : p.items) CHECK(it.instance_type == "m.16");
  d.max_task_cpus = 32;
  CHECK(error_of(c, d) ==
        "no allowed region can cover the demand: region site-a skipped: no allowed type holds the largest task (32 cpus, 0 GiB, 0 gpus)");
  d.max_task_cpus = 0;
  d.steps = {step(0, 3600, 4, 16, 1)};
  p = make_plan(c, d);
  REQUIRE(p.items.size() == 1);
  CHECK(p.items[0].instance_type == "g.8");
  d.regions = {"site-b"};
  CHECK(error_of(c, d) == "no allowed region can cover the demand: region site-b skipped: no allowed offer has GPUs");
}

TEST_CASE("determinism: the same inputs give the same plan; ties break by price, type, region") {
  Catalog c = two_sites();
  std::mt19937 rng(5);
  Demand d = random_demand(rng);
  Plan a = make_plan(c, d), b = make_plan(c, d);
  REQUIRE(a.items.size() == b.items.size());
  for (size_t i = 0; i < a.items.size(); ++i) {
    CHECK(a.items[i].instance_type == b.items[i].instance_type);
    CHECK(a.items[i].start_s == b.items[i].start_s);
    CHECK(a.items[i].count == b.items[i].count);
    CHECK(a.items[i].why == b.items[i].why);
  }
  CHECK(a.total_usd == b.total_usd);
  // Two regions with identical offers: the first by name wins, whatever order the catalogs came in.
  Catalog x = parse_catalog_yaml("types:\n  - {name: t, vcpu: 2, memory: 4GiB, regions: {zz: {on_demand: 0.1}}}\n", "x.yaml");
  Catalog y = parse_catalog_yaml("types:\n  - {name: t, vcpu: 2, memory: 4GiB, regions: {aa: {on_demand: 0.1}}}\n", "y.yaml");
  Demand flat;
  flat.steps = {step(0, 3600, 4, 8)};
  CHECK(make_plan(merge_all({x, y}), flat).region == "aa");
  CHECK(make_plan(merge_all({y, x}), flat).region == "aa");
  // Two types with the same price and size: the first by name.
  Catalog z = parse_catalog_yaml(
      "types:\n  - {name: u, vcpu: 2, memory: 4GiB, regions: {r: {on_demand: 0.1}}}\n"
      "  - {name: t, vcpu: 2, memory: 4GiB, regions: {r: {on_demand: 0.1}}}\n", "z.yaml");
  CHECK(make_plan(z, flat).items.at(0).instance_type == "t");
}

TEST_CASE("burstable types are left out unless the demand allows them") {
  Catalog c = merge_all({two_sites(), parse_catalog_yaml(
      "types:\n  - {name: t.2, vcpu: 2, memory: 4GiB, burstable: true, regions: {site-a: {on_demand: 0.02}}}\n", "t.yaml")});
  Demand d;
  d.steps = {step(0, 3600, 2, 4)};
  d.regions = {"site-a"};
  d.options = {PurchaseOption::on_demand};
  CHECK(make_plan(c, d).items.at(0).instance_type == "c.2");
  CHECK(naive_baseline(c, d)->items.at(0).instance_type == "c.2");
  d.allow_burstable = true;
  CHECK(make_plan(c, d).items.at(0).instance_type == "t.2");
}

TEST_CASE("an empty demand needs nothing") {
  Plan p = make_plan(two_sites(), Demand{});
  CHECK(p.items.empty());
  CHECK(p.total_usd == 0);
  CHECK(p.ratio_to_bound == 1);
}
