#include <catch2/catch.hpp>

#include <random>

#include "plan/bytes.h"
#include "plan/catalog.h"
#include "plan/cover.h"
#include "plan/windows.h"

using namespace wf::plan;

namespace {

// A region with a cpu-heavy, a memory-heavy and a large balanced type.
Catalog small_catalog() {
  return parse_catalog_yaml(R"(types:
  - {name: c.2, vcpu: 2, memory: 4GiB, regions: {r: {on_demand: 0.08}}}
  - {name: m.2, vcpu: 2, memory: 8GiB, regions: {r: {on_demand: 0.10}}}
  - {name: r.2, vcpu: 2, memory: 16GiB, regions: {r: {on_demand: 0.13}}}
  - {name: m.16, vcpu: 16, memory: 64GiB, regions: {r: {on_demand: 0.78}}}
  - {name: m.16.dear, vcpu: 16, memory: 64GiB, regions: {r: {on_demand: 0.90}}}
)", "small.yaml");
}

std::vector<Candidate> candidates(const Catalog& c) {
  std::vector<Candidate> out;
  for (const Offer& o : c.offers) {
    const InstanceType* t = c.find_type(o.instance_type);
    out.push_back({&o, t, o.usd_per_hour, t->vcpu, t->mem_bytes / kGiB, t->gpus, t->vcpu >= 16});
  }
  return out;
}

bool covers(const Coverer& cov, const std::vector<int>& counts, const Need& n) {
  double cpus = 0, mem = 0;
  bool whole = !n.whole_task;
  for (size_t j = 0; j < counts.size(); ++j) {
    cpus += counts[j] * cov.candidates()[j].vcpu;
    mem += counts[j] * cov.candidates()[j].mem_gib;
    whole = whole || (counts[j] > 0 && cov.candidates()[j].fits);
  }
  return cpus >= n.cpus - 1e-9 && mem >= n.mem_gib - 1e-9 && whole;
}

}  // namespace

TEST_CASE("prune_dominated drops a type that is no better and dearer, orders by rate") {
  Catalog c = small_catalog();
  auto kept = prune_dominated(candidates(c));
  REQUIRE(kept.size() == 4);
  CHECK(kept.front().offer->instance_type == "c.2");
  for (const auto& k : kept) CHECK(k.offer->instance_type != "m.16.dear");
}

TEST_CASE("integer covers cover, cost at least the fractional cover, and at most one instance more per resource") {
  Catalog c = small_catalog();
  Coverer cov(candidates(c));
  std::mt19937 rng(11);
  for (int i = 0; i < 300; ++i) {
    Need n{static_cast<double>(rng() % 200), static_cast<double>(rng() % 800), 0, rng() % 3 == 0};
    auto frac = cov.fractional(n);
    auto integer = cov.integer(n);
    REQUIRE(frac);
    REQUIRE(integer);
    CHECK(covers(cov, integer->counts, n));
    CHECK(integer->usd_per_hour >= frac->usd_per_hour - 1e-9);
    // Rounding up the LP optimum covers; the integer mix is never dearer than that.
    double up = 0;
    for (size_t j = 0; j < frac->counts.size(); ++j) up += std::ceil(frac->counts[j] - 1e-7) * cov.candidates()[j].rate_usd_per_hour;
    CHECK(integer->usd_per_hour <= up + 1e-9);
  }
}

TEST_CASE("a need that only asks for the largest task still gets one instance that holds it") {
  Catalog c = small_catalog();
  Coverer cov(candidates(c));
  auto cover = cov.integer(Need{0, 0, 0, true});
  REQUIRE(cover);
  CHECK(cover->instances() == 1);
  CHECK(cover->usd_per_hour == Approx(0.78));
  CHECK_FALSE(cov.integer(Need{1, 1, 1, false}));  // gpus wanted, none offered
}

TEST_CASE("merge_windows joins short gaps and cheap bridges, keeps long gaps") {
  Billing s = Billing::per_second();
  std::vector<Window> w{{0, 600}, {700, 1300}, {5000, 5600}};
  auto merged = merge_windows(w, s, 1.0, 300);
  REQUIRE(merged.size() == 2);
  CHECK(merged[0] == Window{0, 1300});
  CHECK(merged[1] == Window{5000, 5600});
  CHECK(merge_windows(w, s, 1.0, 0).size() == 3);
  // Per hour: the second window fits in the first instance's paid hour, so it costs nothing.
  auto hourly = merge_windows({{0, 600}, {2000, 2600}, {3000, 3500}}, Billing::per_hour(), 1.0, 0);
  REQUIRE(hourly.size() == 1);
  CHECK(hourly[0] == Window{0, 3500});
  // Overlapping windows are separate instances.
  CHECK(merge_windows({{0, 100}, {50, 150}}, s, 1.0, 300).size() == 2);
}
