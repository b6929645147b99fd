// CPU contention: runtimes measured on a loaded host taken back to an idle one, the host's
// background read off a run's rows, and the simulator sharing CPUs with it. Synthetic rows are
// made by the processor-sharing model itself, so the truth is known.
#include <catch2/catch.hpp>

#include "model_synthetic.h"
#include "predict/contention.h"
#include "predict/forecast.h"
#include "predict/models.h"
#include "predict/simulate.h"

using namespace wf;
using namespace wf::predict;
using wf::predict::testing::Rng;
using wf::predict::testing::row;

namespace {

// A single-threaded attempt that computes `cpu` seconds and waits `wait` seconds on an idle host,
// measured on a host with `runnable` threads on `cpus` CPUs: its computing stretches by λ.
history::Execution loaded_row(const std::string& category, int i, double cpu, double wait, double runnable,
                              double cpus = 2) {
  double lambda = std::max(1.0, runnable / cpus);
  history::Execution e = row(category, i, wait + cpu * lambda);
  e.cpu_time_s = cpu;
  e.cpus_reserved = 1;
  e.host_runnable = runnable;
  e.host_cpus = cpus;
  return e;
}

// An attempt from `start` to `end` that used `cpu` seconds of CPU with `runnable` threads on `cpus`.
history::Execution timed_row(const std::string& category, int i, double start, double end, double cpu, double runnable,
                             double cpus = 2) {
  history::Execution e = row(category, i, end - start);
  e.start_s = start;
  e.end_s = end;
  e.cpu_time_s = cpu;
  e.host_runnable = runnable;
  e.host_cpus = cpus;
  return e;
}

model::Workflow chain_free(size_t n, const std::string& category) {
  model::Workflow wf;
  for (size_t i = 0; i < n; ++i) {
    model::Task t;
    t.id = category + std::to_string(i);
    t.category = category;
    wf.tasks.push_back(t);
  }
  return wf;
}

}  // namespace

TEST_CASE("a runtime measured on an oversubscribed host is taken back to an idle host's") {
  // 0.64 s of CPU in 2.9 s at 9 runnable threads on 2 CPUs (a shard measured on a loaded machine).
  history::Execution e = row("draw", 0, 2.9);
  e.cpu_time_s = 0.64;
  e.cpus_reserved = 0.2;
  e.host_runnable = 9;
  e.host_cpus = 2;
  REQUIRE(oversubscription(e));
  CHECK(*oversubscription(e) == Approx(4.5));
  CHECK(*uncontended_runtime(e) == Approx(2.9 - 0.64 * 3.5));
  // Made by the model: 1 s of CPU and 0.5 s of waiting, at λ = 3.
  CHECK(*uncontended_runtime(loaded_row("c", 0, 1.0, 0.5, 6)) == Approx(1.5));
  // A task on 4 threads computes a quarter as long; its waiting is what is left.
  history::Execution wide = loaded_row("c", 1, 4.0, 0.5, 6);
  wide.cpus_reserved = 4;
  wide.runtime_s = 0.5 + 1.0 * 3;
  CHECK(*uncontended_runtime(wide) == Approx(1.5));
}

TEST_CASE("a task running more threads than it reserved is taken back by all of them") {
  // Two CPU-bound threads for 10 s of work each (20 s of CPU), reserved one core, beside six busy
  // loops on two CPUs: eight runnable threads, each at a quarter of a CPU, so 40 s in all.
  history::Execution e = row("blas", 0, 40);
  e.cpu_time_s = 20;
  e.cpus_reserved = 1;
  e.host_runnable = 8;
  e.host_cpus = 2;
  CHECK(*uncontended_runtime(e) == Approx(10));
  // The same run's background: eight runnable threads, the task's own two among them.
  e.start_s = 0;
  e.end_s = 40;
  auto b = run_background(std::vector<history::Execution>{e});
  REQUIRE(b.size() == 1);
  CHECK(b[0] == Approx(6));
}

TEST_CASE("the runnable threads an attempt competed with are discounted by the share of its life the host had a thread waiting") {
  CHECK(pressured_runnable(8, 2, 1) == Approx(8));    // waiting all along: the count stands
  CHECK(pressured_runnable(8, 2, 0) == Approx(2));    // never: a passing count, no oversubscription
  CHECK(pressured_runnable(8, 2, 0.5) == Approx(5));  // half its life: λ 4 becomes 2.5
  CHECK(pressured_runnable(8, 2, 1.7) == Approx(8));  // clamped
  CHECK(pressured_runnable(8, 2, -0.2) == Approx(2));
  CHECK(pressured_runnable(1.5, 2, 1) == Approx(1.5));  // a CPU to spare: as counted
  CHECK(pressured_runnable(3, 0, 0.5) == Approx(3));
  // The demo's case: two pipelines on two CPUs, the count caught at a spawn (7 runnable), the
  // host's threads waiting 7% of the time: a task measured 0.074 s on 0.073 s of CPU is then
  // taken back to its CPU time on its one thread, not cut to a third (0.024 s on 3 threads).
  double lambda = pressured_runnable(7, 2, 0.07) / 2;
  CHECK(lambda == Approx(1.175));  // λ 3.5 over 7% of its life
  CHECK(idle_runtime(0.074, 0.073, 1.0, lambda) == Approx(0.073));
  CHECK(idle_runtime(0.074, 0.073, 1.0, 3.5) == Approx(0.073 / 3));
}

TEST_CASE("a runtime is left as recorded without a load, on a host with a CPU to spare, or without CPU time") {
  history::Execution e = row("c", 0, 3.0);
  e.cpu_time_s = 1;
  CHECK(*uncontended_runtime(e) == 3.0);
  e.host_runnable = 1.5;
  e.host_cpus = 2;
  CHECK(*uncontended_runtime(e) == 3.0);
  e.host_runnable = 8;
  e.cpu_time_s.reset();
  CHECK(*uncontended_runtime(e) == 3.0);
  // A whole core at four runnable threads per CPU is four threads' quarter shares: a task running
  // four threads, a quarter as long on an idle host.
  e.cpu_time_s = 2.9;
  CHECK(*uncontended_runtime(e) == Approx(3.0 - 2.9 / 4 * 3));
  // 0.3 cores at λ = 4 is 1.2 threads' worth: one thread, its λ sampled a little low, computing
  // all the time — its CPU time is its runtime on an idle host.
  e.cpu_time_s = 0.9;
  CHECK(*uncontended_runtime(e) == Approx(0.9));
}

TEST_CASE("the predictor learns the idle host's runtime and CPU use from rows measured under load") {
  Rng rng{7};
  std::vector<history::Execution> rows;
  for (int i = 0; i < 60; ++i) {
    double runnable = 1 + 9 * rng.uniform();  // 0.5 .. 5 threads per CPU
    rows.push_back(loaded_row("shard", i, 0.7 * std::exp(0.05 * rng.normal()), 0.1, runnable));
  }
  Predictor p = Predictor::from_executions(rows);
  model::Task t;
  t.id = "shard_next";
  t.category = "shard";
  Estimate e = p.estimate(model::Workflow{}, t);
  CHECK(e.runtime_s.p50 == Approx(0.8).epsilon(0.05));
  CHECK(e.cpus.p50 == Approx(0.7 / 0.8).epsilon(0.05));
  // The same rows without their load: runtimes up to five times as long, CPU use a fraction.
  for (auto& r : rows) r.host_runnable.reset(), r.host_cpus.reset();
  Estimate raw = Predictor::from_executions(rows).estimate(model::Workflow{}, t);
  CHECK(raw.runtime_s.p50 > 1.5);
  CHECK(raw.cpus.p50 < 0.5);
}

TEST_CASE("a run's background is the host's runnable threads less the run's own") {
  // Two single-threaded tasks side by side, each measured at 0.2 cores with 9 runnable threads on
  // 2 CPUs: each was runnable 0.2 × 4.5 = 0.9 of the time, so 9 - 1.8 threads were not the run's.
  std::vector<history::Execution> run = {timed_row("draw", 0, 100, 103, 0.6, 9), timed_row("draw", 1, 100, 103, 0.6, 9)};
  for (auto& e : run) e.cpus_reserved = 1;
  // A third row half overlapping, at a whole core where a thread gets 1/4.5: 4.5 runnable threads.
  // One without times is skipped.
  run.push_back(timed_row("merge", 2, 101.5, 103.5, 2.0, 9));
  history::Execution untimed = row("scripts", 3, 1.0);
  untimed.host_runnable = 9;
  untimed.host_cpus = 2;
  run.push_back(untimed);
  auto b = run_background(run);
  REQUIRE(b.size() == 3);
  CHECK(b[0] == Approx(9 - 2 * 0.9 - 0.5 * 4.5));
  CHECK(b[2] == Approx(9 - 0.75 * 2 * 0.9 - 4.5));
}

TEST_CASE("the background a forecast assumes is the median over the runs' loaded rows") {
  // (Which runs: history::Store::recent_loaded_runs, the latest on this host; store_test.cc.)
  auto run = [](const std::string& id, double end, double runnable, double cpus) {
    history::Execution e = timed_row("c", 0, end - 1, end, 1.0, runnable, cpus);
    e.run_id = id;
    return e;
  };
  std::vector<history::Execution> rows = {run("a", 20, 3, 2), run("b", 30, 5, 2), run("c", 40, 7, 4)};
  history::Execution unloaded = row("c", 1, 1.0);  // a loaded run's row without a load of its own
  unloaded.run_id = "c";
  unloaded.start_s = 35;
  unloaded.end_s = 36;
  rows.push_back(unloaded);
  auto b = background_of(rows);
  REQUIRE(b);
  CHECK(b->runs == 3);
  CHECK(b->rows == 3);
  // Each run's one task used a whole core: λ runnable threads of its own. 3 - 1.5, 5 - 2.5, 7 - 1.75.
  CHECK(b->runnable == Approx(2.5));
  CHECK(b->host_cpus == 2);
  CHECK_FALSE(background_of(std::vector<history::Execution>{unloaded}));
}

TEST_CASE("CPU share: everything fits, or the threads get what the CPUs give") {
  std::vector<double> used = {1, 1}, threads = {1, 1};
  CHECK(cpu_share(0, 2, used, threads) == 1);
  CHECK(cpu_share(7, 2, used, threads) == Approx(2.0 / 9));
  CHECK(cpu_rate(2.0 / 9, 1, 1) == Approx(2.0 / 9));
  // A task computing a tenth of its time slows far less than its threads do.
  CHECK(cpu_rate(0.25, 0.1, 1) == Approx(0.25 / (0.25 * 0.9 + 0.1)));
  CHECK(cpu_rate(0.25, 0, 1) == 1);
  // A mostly waiting task is runnable more of the time when its computing stretches: the share
  // solves s × (background + its runnable threads at s) = cpus.
  std::vector<double> u2 = {0.5}, t2 = {1};
  double s = cpu_share(3, 2, u2, t2);
  CHECK(s * (3 + 0.5 / (s * 0.5 + 0.5)) == Approx(2));
}

TEST_CASE("simulated tasks share the CPUs with the background, and their successors start later") {
  model::Workflow wf = chain_free(2, "t");
  model::Task after;
  after.id = "after";
  after.category = "after";
  after.needs = {"t0", "t1"};
  wf.tasks.push_back(after);
  model::Dag dag(wf);
  auto task = [](double runtime, double cpus) {
    SimTask t;
    t.runtime_s = runtime;
    t.expected_s = runtime;
    t.used_cpus = cpus;
    t.reserved = {1, 0};
    return t;
  };
  std::vector<SimTask> tasks = {task(1, 1), task(1, 1), task(1, 0)};
  SimCapacity cap;
  cap.cpus = 2;
  CHECK(simulate(dag, tasks, cap).makespan_s == Approx(2));
  cap.background.runnable = 2;  // four runnable threads on two CPUs: half speed
  SimResult r = simulate(dag, tasks, cap);
  CHECK(r.end[0] == Approx(2));
  CHECK(r.start[2] == Approx(2));
  CHECK(r.makespan_s == Approx(3));  // the waiting task is not slowed
  CHECK(r.slowdown_s == Approx(2));
  // The run's share of a larger host: the background spreads over the host's CPUs, not the share.
  cap.background = {60, 64};
  CHECK(simulate(dag, tasks, cap).makespan_s == Approx(2));
  cap.background.runnable = 126;  // 128 runnable on 64 CPUs: half speed again
  CHECK(simulate(dag, tasks, cap).makespan_s == Approx(3));
  // Unlimited CPUs: the background has nothing to share.
  cap.cpus.reset();
  CHECK(simulate(dag, tasks, cap).makespan_s == Approx(2));
}

TEST_CASE("a forecast with a background echoes it and counts the time lost to it") {
  model::Workflow wf = chain_free(4, "shard");
  model::Dag dag(wf);
  std::vector<Estimate> est(4);
  for (auto& e : est) {
    e.runtime_s = Quantiles::point(1);
    e.cpus = Quantiles::point(1);
    e.mem_bytes = Quantiles::point(1e6);
  }
  ForecastOptions o;
  o.samples = 1;
  o.capacity.cpus = 2;
  Forecast quiet = forecast(wf, dag, est, o);
  o.capacity.background.runnable = 6;
  Forecast loaded = forecast(wf, dag, est, o);
  CHECK(quiet.makespan_s.p50 == Approx(2));
  CHECK(loaded.makespan_s.p50 == Approx(8));  // two at a time, each at a quarter of a CPU
  CHECK(loaded.slowdown_s.p50 == Approx(4 * 3));
  io::JsonDoc doc(rapidjson::kObjectType);
  io::Json section = prediction_to_json(loaded, wf, est, doc.GetAllocator());
  CHECK(section["capacity"]["background_runnable"].GetDouble() == 6);
  CHECK(section["contention_delay_s"]["p50"].GetDouble() == Approx(12));
  CHECK_THAT(render_forecast_table(loaded, wf, est), Catch::Contains("2 cpus of a host of 2 CPUs, shared with 6 other runnable threads"));
  CHECK_THAT(render_forecast_table(quiet, wf, est), !Catch::Contains("other runnable threads"));
}
