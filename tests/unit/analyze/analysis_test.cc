#include <catch2/catch.hpp>

#include <random>

#include "analyze/analysis.h"
#include "analyze/validate.h"
#include "io/document.h"

using namespace wf;

namespace {

io::Document load(std::string text) { return io::Document::from_source(io::Source{"wf.yaml", std::move(text)}); }

const char* kDiamond = R"(tasks:
  - {id: a, run: x, duration: 2s, cpus: 1, mem: 100}
  - {id: b, run: x, duration: 3s, cpus: 2, mem: 200, needs: a}
  - {id: c, run: x, duration: 1s, cpus: 1, mem: 300, needs: a}
  - {id: d, run: x, duration: 4s, cpus: 1, mem: 400, needs: [b, c]}
)";

}  // namespace

TEST_CASE("analysis of a small known DAG: levels, critical path, slack, width, profile peaks") {
  auto doc = load(kDiamond);
  auto dag = analyze::checked_dag(doc);
  auto an = analyze::analyze(doc.workflow(), dag);
  CHECK(an.tasks == 4);
  CHECK(an.edges == 4);
  CHECK(an.roots == 1);
  CHECK(an.leaves == 1);
  CHECK(an.components == 1);
  CHECK(an.width_per_level == std::vector<uint32_t>{1, 2, 1});
  CHECK(an.max_width == 2);
  CHECK(an.durations == "hints");
  CHECK(an.critical_path_s == 9);
  CHECK(an.critical_path == std::vector<uint32_t>{0, 1, 3});
  CHECK(an.total_work_s == 10);
  CHECK(an.timing[2].level == 1);
  CHECK(an.timing[2].earliest_start_s == 2);
  CHECK(an.timing[2].slack_s == 2);
  CHECK(an.timing[3].earliest_start_s == 5);
  CHECK(an.timing[3].slack_s == 0);
  REQUIRE(an.profile.size() == 5);
  CHECK(an.profile[1].t_s == 2);
  CHECK(an.profile[1].tasks == 2);
  CHECK(an.profile[1].cpus == 3);
  CHECK(an.profile[1].mem_bytes == 500);
  CHECK(an.profile[4].tasks == 0);
  CHECK(an.peak_tasks.t_s == 2);
  CHECK(an.peak_cpus.cpus == 3);
  CHECK(an.peak_mem.mem_bytes == 500);
  CHECK(an.warnings.empty());

  io::JsonDoc out;
  io::Json json = analyze::to_json(an, doc.workflow(), out.GetAllocator());
  CHECK(json["critical_path"]["length_s"].GetInt() == 9);
  CHECK(io::view(json["critical_path"]["tasks"][2]) == "d");
  CHECK(json["per_task"].Size() == 4);
  CHECK(io::to_json(json["per_task"][2], false) == R"({"id":"c","level":1,"duration_s":1,"earliest_start_s":2,"slack_s":2})" "\n");
  CHECK(json["parallelism"]["peak"]["mem"]["mem_bytes"].GetInt() == 500);
  CHECK(json["average_parallelism"].GetDouble() == Approx(10.0 / 9));
}

TEST_CASE("without durations every task counts one step") {
  auto doc = load("tasks:\n  - {id: a, run: x}\n  - {id: b, run: x, needs: a}\n  - {id: c, run: x}\n");
  auto dag = analyze::checked_dag(doc);
  auto an = analyze::analyze(doc.workflow(), dag);
  CHECK(an.durations == "unit");
  CHECK(an.critical_path_s == 2);
  CHECK(an.components == 2);
  CHECK(an.warnings.size() == 3);
}

TEST_CASE("profile_of matches a plain sort of events, ties included") {
  std::mt19937 rng(7);
  std::uniform_int_distribution<int> pick(0, 12);
  std::vector<double> start(3000), end(3000), cpus(3000), mem(3000);
  for (size_t i = 0; i < start.size(); ++i) {
    start[i] = pick(rng) * 0.1;
    end[i] = start[i] + pick(rng) * 0.25;  // some of zero length
    cpus[i] = 0.1 * pick(rng);
    mem[i] = 1e6 * pick(rng);
  }
  auto fast = analyze::profile_of(start, end, cpus, mem);

  struct Event {
    double t;
    int delta;
    uint32_t task;
  };
  std::vector<Event> events;
  for (uint32_t i = 0; i < start.size(); ++i)
    if (end[i] > start[i]) {
      events.push_back({start[i], +1, i});
      events.push_back({end[i], -1, i});
    }
  std::sort(events.begin(), events.end(), [](const Event& a, const Event& b) {
    return a.t != b.t ? a.t < b.t : a.delta != b.delta ? a.delta < b.delta : a.task < b.task;
  });
  std::vector<analyze::ProfilePoint> slow;
  analyze::ProfilePoint cur;
  for (size_t i = 0; i < events.size();) {
    double t = events[i].t;
    for (; i < events.size() && events[i].t == t; ++i) {
      cur.tasks = static_cast<uint32_t>(static_cast<int>(cur.tasks) + events[i].delta);
      cur.cpus += events[i].delta * cpus[events[i].task];
      cur.mem_bytes += events[i].delta * mem[events[i].task];
    }
    cur.t_s = t;
    if (cur.tasks == 0) cur.cpus = cur.mem_bytes = 0;
    slow.push_back(cur);
  }
  REQUIRE(fast.size() == slow.size());
  for (size_t i = 0; i < fast.size(); ++i) {
    CHECK(fast[i].t_s == slow[i].t_s);
    CHECK(fast[i].tasks == slow[i].tasks);
    CHECK(fast[i].cpus == slow[i].cpus);  // bit for bit: the same summation order
    CHECK(fast[i].mem_bytes == slow[i].mem_bytes);
  }
}
