#include <catch2/catch.hpp>

#include "schedule/policy.h"

using namespace wf;
using schedule::Capacity;
using schedule::cpu_reservation;
using schedule::Policy;
using schedule::TaskInfo;

namespace {

model::Workflow chain_and_fan(const std::vector<std::pair<std::string, std::vector<std::string>>>& tasks) {
  model::Workflow wf;
  for (const auto& [id, needs] : tasks) {
    model::Task t;
    t.id = id;
    t.needs = needs;
    wf.tasks.push_back(t);
  }
  return wf;
}

TaskInfo info(double cpus, double mem, double expected, int priority = 0) { return {{cpus, mem}, expected, priority}; }

}  // namespace

TEST_CASE("the longest remaining path starts first, then priority, then input order") {
  // a -> b -> c (long chain), d, e independent and short.
  auto wf = chain_and_fan({{"a", {}}, {"b", {"a"}}, {"c", {"b"}}, {"d", {}}, {"e", {}}});
  model::Dag dag(wf);
  Policy p(dag, {info(1, 0, 5), info(1, 0, 5), info(1, 0, 5), info(1, 0, 1, 0), info(1, 0, 1, 9)}, {1, 1e9});
  CHECK(p.pick(0) == std::vector<uint32_t>{0});  // a: rank 15
  p.finish(0, true, 5);
  CHECK(p.pick(5) == std::vector<uint32_t>{1});  // b: rank 10 beats e (priority 9, rank 1)
  p.finish(1, true, 10);
  CHECK(p.pick(10) == std::vector<uint32_t>{2});
  p.finish(2, true, 15);
  CHECK(p.pick(15) == std::vector<uint32_t>{4});  // e before d: same rank, higher priority
}

TEST_CASE("never more reserved than the capacity") {
  auto wf = chain_and_fan({{"a", {}}, {"b", {}}, {"c", {}}, {"d", {}}});
  model::Dag dag(wf);
  Policy p(dag, {info(1, 600, 3), info(1, 600, 3), info(1, 600, 3), info(1, 600, 3)}, {4, 1000});
  auto first = p.pick(0);
  CHECK(first.size() == 1);  // memory allows one at a time
  CHECK(p.reserved().mem_bytes <= p.capacity().mem_bytes);
  p.finish(first[0], true, 3);
  CHECK(p.pick(3).size() == 1);
}

TEST_CASE("backfilling fills the gap before the head can start, and never delays it") {
  // r holds 1 of 2 cpus until t=100; the head h needs both, so it waits for r. s (1 cpu, 20 s)
  // ends before t=100 and may start; once it runs, q (1 cpu) has no room.
  auto wf = chain_and_fan({{"r", {}}, {"h", {}}, {"s", {}}, {"q", {}}});
  model::Dag dag(wf);
  Policy p(dag, {info(1, 0, 100), info(2, 0, 50), info(1, 0, 20), info(1, 0, 5)}, {2, 1e9});
  CHECK(p.pick(0) == std::vector<uint32_t>{0, 2});
  p.finish(2, true, 20);
  CHECK(p.pick(20) == std::vector<uint32_t>{3});  // q ends at 25, before r
  p.finish(3, true, 25);
  p.finish(0, true, 100);
  CHECK(p.pick(100) == std::vector<uint32_t>{1});
}

TEST_CASE("a backfill that would outlast the head's start waits") {
  // r (1 cpu, 10 s) leads a long chain, so it starts first; the head h needs both cpus from
  // t=10; s (1 cpu, 30 s) would hold a cpu past t=10, so it must not start before h.
  auto wf = chain_and_fan({{"r", {}}, {"x", {"r"}}, {"h", {}}, {"s", {}}});
  model::Dag dag(wf);
  Policy p(dag, {info(1, 0, 10), info(0, 0, 100), info(2, 0, 50), info(1, 0, 30)}, {2, 1e9});
  CHECK(p.pick(0) == std::vector<uint32_t>{0});
  p.finish(0, true, 10);
  CHECK(p.pick(10) == std::vector<uint32_t>{1, 2});  // x (no cpus) and the head h
}

TEST_CASE("demands larger than the capacity are clamped and reported") {
  auto wf = chain_and_fan({{"big", {}}});
  model::Dag dag(wf);
  Policy p(dag, {info(8, 64e9, 1)}, {2, 4e9});
  CHECK(p.clamped() == std::vector<uint32_t>{0});
  CHECK(p.demand(0).cpus == 2);
  CHECK(p.pick(0) == std::vector<uint32_t>{0});
}

TEST_CASE("a failed task's descendants never become ready; a retry waits for its release") {
  auto wf = chain_and_fan({{"a", {}}, {"b", {"a"}}});
  model::Dag dag(wf);
  Policy p(dag, {info(1, 0, 1), info(1, 0, 1)}, {1, 1e9});
  REQUIRE(p.pick(0) == std::vector<uint32_t>{0});
  p.requeue(0, {1, 100}, 5);
  CHECK(p.pick(1).empty());
  CHECK(p.next_release() == 5.0);
  CHECK(p.pick(5) == std::vector<uint32_t>{0});
  CHECK(p.demand(0).mem_bytes == 100);
  p.finish(0, false, 6);
  CHECK(p.pick(6).empty());
  CHECK(p.idle());
}

TEST_CASE("with every cpu taken, a task that needs no cpu is still backfilled") {
  // r holds the one cpu for 100 s; the head h waits for it; z needs no cpu and ends first.
  auto wf = chain_and_fan({{"r", {}}, {"h", {}}, {"z", {}}, {"q", {}}});
  model::Dag dag(wf);
  Policy p(dag, {info(1, 0, 100), info(1, 0, 50), info(0, 0, 5), info(1, 0, 1)}, {1, 1e9});
  CHECK(p.pick(0) == std::vector<uint32_t>{0, 2});
  CHECK(p.pick(1).empty());  // no cpu free, nothing left that needs none
  p.finish(2, true, 5);
  p.finish(0, true, 100);
  CHECK(p.pick(100) == std::vector<uint32_t>{1});
}

TEST_CASE("a CPU p95 a hair above whole cores reserves the whole cores; anything else as it is") {
  CHECK(cpu_reservation(1.061) == 1);
  CHECK(cpu_reservation(1.1) == 1);
  CHECK(cpu_reservation(1.11) == Approx(1.11));
  CHECK(cpu_reservation(2.15) == 2);
  CHECK(cpu_reservation(1.5) == 1.5);
  CHECK(cpu_reservation(0.97) == Approx(0.97));  // below a core: as it is
  CHECK(cpu_reservation(0.2) == Approx(0.2));
  CHECK(cpu_reservation(4) == 4);
}
