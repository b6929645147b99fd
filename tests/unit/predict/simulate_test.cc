#include <catch2/catch.hpp>

#include "io/tree.h"
#include "predict/forecast.h"
#include "predict/simulate.h"

using namespace wf;
using namespace wf::predict;

namespace {

model::Workflow make(const std::vector<std::pair<std::string, std::vector<std::string>>>& tasks) {
  model::Workflow wf;
  for (const auto& [id, needs] : tasks) {
    model::Task t;
    t.id = id;
    t.category = id;
    t.needs = needs;
    wf.tasks.push_back(t);
  }
  return wf;
}

SimTask task(double runtime, double cpus = 1, double mem = 0, double io = 0) {
  SimTask t;
  t.runtime_s = runtime;
  t.expected_s = runtime;
  t.used_cpus = cpus;
  t.used_mem_bytes = mem;
  t.reserved = {cpus, mem};
  t.io_bytes = io;
  return t;
}

}  // namespace

TEST_CASE("unlimited capacity: every task starts when its last parent ends") {
  auto wf = make({{"a", {}}, {"b", {"a"}}, {"c", {"a"}}, {"d", {"b", "c"}}});
  model::Dag dag(wf);
  auto r = simulate(dag, {task(2), task(3), task(5), task(1)}, {});
  CHECK(r.start == std::vector<double>{0, 2, 2, 7});
  CHECK(r.makespan_s == 8);
  auto prof = demand_profile({task(2), task(3), task(5), task(1)}, r);
  CHECK(peaks(prof).tasks == 2);
}

TEST_CASE("one cpu serialises independent tasks, longest first") {
  auto wf = make({{"a", {}}, {"b", {}}, {"c", {}}});
  model::Dag dag(wf);
  SimCapacity cap;
  cap.cpus = 1;
  auto r = simulate(dag, {task(1), task(3), task(2)}, cap);
  CHECK(r.makespan_s == Approx(6));
  CHECK(r.start[1] == 0);  // the longest first
  CHECK(r.start[2] == Approx(3));
  CHECK(r.start[0] == Approx(5));
}

TEST_CASE("I/O above the bandwidth slows tasks down together and delays successors") {
  auto wf = make({{"a", {}}, {"b", {}}, {"c", {"a"}}});
  model::Dag dag(wf);
  // a and b each move 100 bytes in 10 s (10 B/s); 10 B/s shared means half speed for both.
  std::vector<SimTask> tasks{task(10, 1, 0, 100), task(10, 1, 0, 100), task(1)};
  SimCapacity cap;
  cap.io_bytes_per_s = 10;
  auto r = simulate(dag, tasks, cap);
  CHECK(r.end[0] == Approx(20));
  CHECK(r.start[2] == Approx(20));  // the cascade
  CHECK(r.slowdown_s == Approx(20));
  auto free_run = simulate(dag, tasks, {});
  CHECK(free_run.makespan_s == Approx(11));
}

TEST_CASE("the forecast is deterministic for a seed and widens with uncertainty") {
  auto wf = make({{"a", {}}, {"b", {"a"}}, {"c", {"a"}}});
  model::Dag dag(wf);
  Estimate e;
  e.runtime_s = {10, 15, 20, 30};
  e.cpus = Quantiles::point(1);
  e.mem_bytes = {100, 150, 200, 300};
  std::vector<Estimate> est(3, e);
  ForecastOptions o;
  o.samples = 200;
  o.seed = 7;
  auto f1 = forecast(wf, dag, est, o);
  auto f2 = forecast(wf, dag, est, o);
  CHECK(f1.makespan_s.p50 == f2.makespan_s.p50);
  CHECK(f1.makespan_s.p95 == f2.makespan_s.p95);
  CHECK(f1.makespan_s.p50 > 15);
  CHECK(f1.makespan_s.p95 > f1.makespan_s.p50);
  CHECK(f1.peak_tasks.p50 == 2);
  CHECK(f1.peak_reserved_mem_bytes.p50 == Approx(400));  // two tasks at their p95 reservation
  o.seed = 8;
  auto f3 = forecast(wf, dag, est, o);
  CHECK(f3.makespan_s.p50 != f1.makespan_s.p50);
}

TEST_CASE("concurrent staggered runs share the capacity") {
  auto wf = make({{"a", {}}});
  model::Dag dag(wf);
  Estimate e;
  e.runtime_s = Quantiles::point(10);
  e.cpus = Quantiles::point(1);
  e.mem_bytes = Quantiles::point(1);
  ForecastOptions o;
  o.samples = 1;
  o.concurrency = 3;
  o.stagger_s = 5;
  auto f = forecast(wf, dag, {e}, o);
  CHECK(f.makespan_s.p50 == Approx(20));  // 0..10, 5..15, 10..20
  CHECK(f.peak_tasks.p50 == 2);
  o.capacity.cpus = 1;
  auto g = forecast(wf, dag, {e}, o);
  CHECK(g.makespan_s.p50 == Approx(30));
}

TEST_CASE("quantiles interpolate monotonically") {
  Quantiles q{10, 20, 30, 50};
  CHECK(q.at(0.5) == Approx(10));
  CHECK(q.at(0.95) == Approx(30));
  double prev = 0;
  for (double u = 0.01; u < 1; u += 0.01) {
    CHECK(q.at(u) >= prev);
    prev = q.at(u);
  }
  CHECK(q.at(0.9999) <= 100);
}

TEST_CASE("measured lower quantiles replace the mirror of the upper spread") {
  Quantiles mirrored{10, 20, 30, 50};
  CHECK(mirrored.lower10() == Approx(5));  // 10² / 20
  CHECK(mirrored.at(0.1) == Approx(5));
  CHECK(mirrored.at(0.25) == Approx(mirrored.lower25()));
  CHECK(mirrored.at(0.3) == Approx(std::exp(std::log(5.0) + 0.5 * std::log(2.0))));  // log-linear 0.1..0.5
  // A task at one core most of the time and well below it otherwise (single-threaded CPU use):
  // the upper spread is nil, the lower one is not, and the mean follows the lower quantiles.
  Quantiles busy{1.0, 1.0, 1.0, 1.0};
  busy.p10 = 0.3;
  busy.p25 = 0.6;
  CHECK(busy.at(0.05) == Approx(0.3));
  CHECK(busy.at(0.25) == Approx(0.6));
  CHECK(busy.at(0.4) < 1.0);
  double mean = 0, mean_mirrored = 0;
  for (int i = 0; i < 1000; ++i) {
    double u = (i + 0.5) / 1000;
    mean += busy.at(u) / 1000;
    mean_mirrored += Quantiles{1.0, 1.0, 1.0, 1.0}.at(u) / 1000;
  }
  CHECK(mean_mirrored == Approx(1.0));
  CHECK(mean == Approx(0.82).margin(0.03));
  double prev = 0;
  for (double u = 0.01; u < 1; u += 0.01) {
    CHECK(busy.at(u) >= prev);
    prev = busy.at(u);
  }
}

TEST_CASE("quantiles read back from a document edited by hand are in order") {
  // Levels out of order, a negative one, one of another type, p25 without p10: each must still read
  // as quantiles that never decrease, or a simulated draw is not a draw from any distribution.
  auto wf = make({{"a", {}}, {"b", {}}});
  auto tree = io::parse_tree(io::Source{"p.json", R"({"tasks": [
    {"id": "a", "runtime_s": {"p10": 30, "p25": 40, "p50": 20, "p90": 10, "p95": 50, "p99": 60}},
    {"id": "b", "runtime_s": {"p10": -5, "p25": "x", "p50": 20, "p90": 30, "p95": 40, "p99": 50},
                "cpus": {"p25": 1.5, "p50": 2, "p90": 2.1, "p95": 2.2, "p99": 2.3}}]})"});
  auto est = estimates_from_json(*tree.root, wf);
  REQUIRE(est.size() == 2);
  const Quantiles& a = est[0].runtime_s;
  CHECK(a.p50 == 20);
  CHECK(a.p90 == 20);
  CHECK(a.lower25() == 20);
  CHECK(a.lower10() == 20);
  CHECK(a.p99 == 60);
  CHECK_FALSE(est[1].runtime_s.p10);  // negative: not a quantile of a positive quantity
  CHECK_FALSE(est[1].runtime_s.p25);  // not a number
  CHECK(est[1].cpus.lower10() <= 1.5);
  for (const auto& e : est)
    for (const Quantiles* q : {&e.runtime_s, &e.cpus, &e.mem_bytes}) {
      CHECK(q->lower10() <= q->lower25());
      CHECK(q->lower25() <= q->p50);
      CHECK(q->p50 <= q->p90);
      CHECK(q->p90 <= q->p95);
      CHECK(q->p95 <= q->p99);
      double prev = 0;
      for (int i = 1; i < 100; ++i) {
        double v = q->at(i / 100.0);
        CHECK(v >= prev * (1 - 1e-12));  // exp(log(x)) may differ from x in the last bit
        prev = v;
      }
    }
}
