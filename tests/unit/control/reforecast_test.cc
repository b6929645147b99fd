// The conditioned re-forecast against cases worked out by hand.
#include <catch2/catch.hpp>

#include "control/reforecast.h"
#include "synthetic.h"

using namespace wf;
using namespace wf::control;
using wf::control::testing::Synthetic;

namespace {

run::AttemptResult succeeded(double runtime_s) {
  run::AttemptResult ar;
  ar.status = "succeeded";
  ar.runtime_s = runtime_s;
  return ar;
}

Synthetic independent(int n) {
  Synthetic s;
  for (int i = 0; i < n; ++i) s.add("t" + std::to_string(i), "t", {}, 10, 1, 0, 1);
  return s;
}

}  // namespace

TEST_CASE("reforecast: the plan is the workflow at its p50s under the capacity held") {
  Synthetic s = independent(8);
  model::Dag dag(s.wf);
  Evidence e(s.wf, dag, s.estimates);
  CHECK(planned_makespan(dag, s.info, e, Policy{}, {2, 0}) == Approx(40));
  CHECK(planned_makespan(dag, s.info, e, Policy{}, {8, 0}) == Approx(10));
}

TEST_CASE("reforecast: tasks that take twice the forecast: the rest is scaled, and the target catches up with the plan") {
  Synthetic s = independent(8);
  model::Dag dag(s.wf);
  Evidence e(s.wf, dag, s.estimates);
  e.started(0);
  e.started(1);
  e.finished(0, succeeded(20), false);
  e.finished(1, succeeded(20), false);
  e.refresh();
  Policy p;
  p.max = {8, 0};
  // Six tasks of 20 s left, two at a time: 60 s.
  CHECK(remaining(dag, s.info, e, p, {2, 0}).remaining_s == Approx(60));
  // The plan had 40 - 20 = 20 s left: only six at once do that, and the ceiling allows it.
  Target t = target(dag, s.info, e, p, {2, 0}, 20);
  CHECK(t.remaining_now_s == Approx(60));
  CHECK(t.remaining_best_s == Approx(20));
  CHECK(t.capacity.cpus >= 6);
  CHECK(t.capacity.cpus < 7);
  CHECK(t.remaining_target_s == Approx(20));
  // A ceiling of 4: as close as it allows (two rounds of four, then two).
  p.max = {4, 0};
  t = target(dag, s.info, e, p, {2, 0}, 20);
  CHECK(t.capacity.cpus >= 3);
  CHECK(t.capacity.cpus <= 4);
  CHECK(t.remaining_target_s == Approx(40));
}

TEST_CASE("reforecast: running tasks keep what they hold and take what is left of their conditioned time") {
  Synthetic s = independent(2);
  model::Dag dag(s.wf);
  Evidence e(s.wf, dag, s.estimates);
  e.started(0);
  e.started(1);
  run::LiveSample live[2];
  live[0].task = 0;
  live[0].elapsed_s = 4;
  live[1].task = 1;
  live[1].elapsed_s = 4;
  e.sampled(live);
  e.refresh();
  Policy p;
  CHECK(remaining(dag, s.info, e, p, {2, 0}).remaining_s == Approx(6));
  live[0].elapsed_s = live[1].elapsed_s = 30;  // both 3x past: the ratio is 3, each has 0 left, at least a tenth
  e.sampled(live);
  e.refresh();
  CHECK(e.overall().runtime == Approx(3));
  CHECK(remaining(dag, s.info, e, p, {2, 0}).remaining_s == Approx(3));
}

TEST_CASE("reforecast: the tail of a run needs less, never less than its largest remaining task") {
  Synthetic s = independent(4);
  s.info[3].demand = {3, 0};
  model::Dag dag(s.wf);
  Evidence e(s.wf, dag, s.estimates);
  for (uint32_t t = 0; t < 3; ++t) {
    e.started(t);
    e.finished(t, succeeded(10), false);
  }
  e.refresh();
  Policy p;
  p.max = {8, 0};
  Target t = target(dag, s.info, e, p, {8, 0}, 10);
  CHECK(t.capacity.cpus == Approx(3));
  CHECK(t.remaining_target_s == Approx(10));
}

TEST_CASE("reforecast: memory follows the schedule's peak in use when it passes what is reserved") {
  Synthetic s;
  for (int i = 0; i < 4; ++i) s.add("t" + std::to_string(i), "t", {}, 10, 1, 100e6, 1);
  model::Dag dag(s.wf);
  Evidence e(s.wf, dag, s.estimates);
  run::AttemptResult ar = succeeded(10);
  ar.peak_rss_bytes = 240'000'000;  // 3x the p50 of 80e6
  e.started(0);
  e.finished(0, ar, false);
  e.started(1);
  e.finished(1, ar, false);
  e.refresh();
  Policy p;
  p.max = {4, 16e9};
  p.mem_margin = 0;
  Target t = target(dag, s.info, e, p, {4, 400e6}, 10);
  // Two left, run at once, each using 240e6: 480e6 in use, more than the 200e6 reserved.
  CHECK(t.capacity.mem_bytes == Approx(480e6));
}

TEST_CASE("reforecast: on a loaded host, tasks as slow as the load makes them are on plan; a grow is judged on the host's CPUs") {
  // Eight CPU-bound tasks of 10 s (one thread each) on a 2-cpu share of a 2-CPU host with six
  // other runnable threads: two at a time, each at a quarter of a CPU.
  Synthetic s = independent(8);
  model::Dag dag(s.wf);
  Evidence e(s.wf, dag, s.estimates);
  Policy p;
  p.max = {8, 0};
  p.background = {6, 2};
  CHECK(planned_makespan(dag, s.info, e, p, {2, 0}) == Approx(160));
  // The first two took 40 s each, all of it computing, with 8 runnable threads on 2 CPUs.
  for (uint32_t t : {0u, 1u}) {
    e.started(t);
    run::AttemptResult ar = succeeded(40);
    ar.cpu_time_s = 10;
    ar.reserved.cpus = 1;
    ar.host_runnable = 8;
    ar.host_cpus = 2;
    e.finished(t, ar, false);
  }
  e.refresh();
  CHECK(e.overall().runtime == Approx(1));  // as forecast, once the load is taken off
  CHECK(remaining(dag, s.info, e, p, {2, 0}).remaining_s == Approx(120));
  // All six left at once on the same two CPUs: twelve runnable threads, each at a sixth of a CPU
  // (the run takes a larger share from the background, no more): 60 s, not the 10 s an 8-cpu
  // lease on an idle host would give.
  CHECK(remaining(dag, s.info, e, p, {8, 0}).remaining_s == Approx(60));
}
