// The run section's deviation from the forecast: measured against the forecast's p50 and p95, on
// the idle-host runtime when the host was oversubscribed (the forecast is of an idle host).
#include <catch2/catch.hpp>

#include "run/run_json.h"

namespace wf::run {
namespace {

struct Fixture {
  model::Workflow wf;
  RunResult result;
  io::JsonDoc doc;

  // One task that ran 10 s on 4 s of CPU with one core reserved; forecast 6 s (p95 8 s), 0.5 cores.
  Fixture() {
    doc.SetObject();
    model::Task t;
    t.id = "work";
    wf.tasks.push_back(t);
    AttemptResult ar;
    ar.status = "succeeded";
    ar.start_s = 100, ar.end_s = 110, ar.runtime_s = 10, ar.cpu_time_s = 4;
    ar.peak_rss_bytes = 1000;
    ar.reserved.cpus = 1;
    TaskResult tr;
    tr.status = "succeeded";
    tr.attempts.push_back(ar);
    result.status = "succeeded";
    result.started_at = 100, result.finished_at = 110;
    result.tasks.push_back(tr);
  }

  io::Json run(const char* prediction) {
    io::JsonDoc p;
    p.Parse(prediction);
    REQUIRE(!p.HasParseError());
    return run_to_json(result, RunInfo{}, wf, &p, doc.GetAllocator());
  }
};

constexpr const char* kPrediction =
    R"({"tasks": [{"id": "work", "runtime_s": {"p50": 6, "p95": 8}, "cpus": {"p50": 0.5, "p95": 1},
                   "mem_bytes": {"p50": 1000, "p95": 2000}}]})";

const io::Json& deviation(const io::Json& run) {
  const io::Json* tasks = io::get(run, "tasks");
  REQUIRE(tasks);
  const io::Json* d = io::get((*tasks)[0], "deviation");
  REQUIRE(d);
  return *d;
}

double at(const io::Json& dev, const char* measure, const char* key) {
  const io::Json* m = io::get(dev, measure);
  REQUIRE(m);
  auto v = io::get_number(*m, key);
  REQUIRE(v);
  return *v;
}

TEST_CASE("deviation: on an idle host the clock runtime is compared with the forecast") {
  Fixture f;
  io::Json run = f.run(kPrediction);
  const io::Json& dev = deviation(run);
  CHECK(at(dev, "runtime_s", "measured") == Approx(10));
  CHECK(at(dev, "runtime_s", "ratio") == Approx(10.0 / 6).epsilon(1e-3));
  CHECK(io::get(*io::get(dev, "runtime_s"), "above_p95")->GetBool());
  CHECK(at(dev, "cpus", "measured") == Approx(0.4));
  CHECK(at(dev, "mem_bytes", "ratio") == Approx(1));
  CHECK(io::get(dev, "oversubscription") == nullptr);
  CHECK(io::get(dev, "clock_runtime_s") == nullptr);
}

TEST_CASE("deviation: on an oversubscribed host the idle-host runtime is compared, the clock kept beside it") {
  Fixture f;
  // 4 runnable threads on 2 CPUs: the one thread computed 4 s at half speed, so waited 4 s for a CPU.
  f.result.tasks[0].attempts[0].host_runnable = 4;
  f.result.tasks[0].attempts[0].host_cpus = 2;
  io::Json run = f.run(kPrediction);
  const io::Json& dev = deviation(run);
  CHECK(at(dev, "runtime_s", "measured") == Approx(6));
  CHECK(at(dev, "runtime_s", "ratio") == Approx(1));
  CHECK_FALSE(io::get(*io::get(dev, "runtime_s"), "above_p95")->GetBool());
  CHECK(at(dev, "cpus", "measured") == Approx(4.0 / 6));
  CHECK(at(dev, "mem_bytes", "measured") == Approx(1000));  // memory does not stretch
  CHECK(io::get_number(dev, "oversubscription") == Approx(2));
  CHECK(io::get_number(dev, "clock_runtime_s") == Approx(10));
}

TEST_CASE("deviation: a host with a CPU for every runnable thread is an idle one") {
  Fixture f;
  f.result.tasks[0].attempts[0].host_runnable = 1.5;
  f.result.tasks[0].attempts[0].host_cpus = 2;
  io::Json run = f.run(kPrediction);
  const io::Json& dev = deviation(run);
  CHECK(at(dev, "runtime_s", "measured") == Approx(10));
  CHECK(io::get(dev, "oversubscription") == nullptr);
}

TEST_CASE("deviation: a failed attempt or a task without a forecast has none") {
  Fixture f;
  f.result.tasks[0].attempts[0].status = "failed";
  io::Json run = f.run(kPrediction);
  CHECK(io::get((*io::get(run, "tasks"))[0], "deviation") == nullptr);
  Fixture g;
  io::Json other = g.run(R"({"tasks": [{"id": "else", "runtime_s": {"p50": 6}}]})");
  CHECK(io::get((*io::get(other, "tasks"))[0], "deviation") == nullptr);
}

}  // namespace
}  // namespace wf::run
