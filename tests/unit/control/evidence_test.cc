// The observed ratios: finished tasks count with what they took, running ones only once past their
// forecast, categories with enough evidence use their own ratio, a failure takes its descendants.
#include <catch2/catch.hpp>

#include "control/evidence.h"
#include "synthetic.h"

using namespace wf;
using namespace wf::control;
using wf::control::testing::Synthetic;

namespace {

run::AttemptResult succeeded(double runtime_s, uint64_t rss) {
  run::AttemptResult ar;
  ar.status = "succeeded";
  ar.runtime_s = runtime_s;
  ar.peak_rss_bytes = rss;
  return ar;
}

Synthetic two_categories() {
  Synthetic s;
  for (int i = 0; i < 3; ++i) s.add("a" + std::to_string(i), "a", {}, 10, 1, 100e6, 1);
  for (int i = 0; i < 3; ++i) s.add("b" + std::to_string(i), "b", {}, 10, 1, 100e6, 1);
  return s;
}

}  // namespace

TEST_CASE("evidence: ratios are geometric means of measured / p50, per category once it has enough") {
  Synthetic s = two_categories();
  model::Dag dag(s.wf);
  Evidence e(s.wf, dag, s.estimates);
  e.refresh();
  CHECK(e.overall().runtime == 1);
  CHECK(e.evidence() == 0);
  e.started(0);
  e.started(1);
  e.started(3);
  e.finished(0, succeeded(20, 160'000'000), false);  // p50 mem is 80e6: 2x
  e.finished(1, succeeded(20, 160'000'000), false);
  e.finished(3, succeeded(5, 80'000'000), false);  // 0.5x time, 1x memory
  e.refresh();
  CHECK(e.evidence() == 3);
  // Overall: (2 * 2 * 0.5)^(1/3).
  CHECK(e.overall().runtime == Approx(std::cbrt(2.0)));
  CHECK(e.overall().runtime_n == 3);
  // a has two observations: its own ratio; b has one: the overall one.
  CHECK(e.ratio_for(2, 2).runtime == Approx(2));
  CHECK(e.ratio_for(2, 2).mem == Approx(2));
  CHECK(e.ratio_for(4, 2).runtime == Approx(std::cbrt(2.0)));
  CHECK(e.ratio_for(4, 1).runtime == Approx(0.5));
  auto cats = e.categories();
  REQUIRE(cats.size() == 2);
  CHECK(cats[0].first == "a");
  CHECK(cats[1].second.mem == Approx(1));
  CHECK(e.above_p95() == 2);  // a0 and a1 took 20 s > p95 15 s
}

TEST_CASE("evidence: a running task tells something only once it has passed its forecast") {
  Synthetic s = two_categories();
  model::Dag dag(s.wf);
  Evidence e(s.wf, dag, s.estimates);
  e.started(0);
  run::LiveSample ls;
  ls.task = 0;
  ls.elapsed_s = 8;
  ls.peak_rss_bytes = 50'000'000;
  e.sampled(std::span(&ls, 1));
  e.refresh();
  CHECK(e.evidence() == 0);
  CHECK(e.overall().runtime == 1);
  ls.elapsed_s = 16;  // past p50 (10) and p95 (15): a lower bound of 1.6
  e.sampled(std::span(&ls, 1));
  e.refresh();
  CHECK(e.evidence() == 1);
  CHECK(e.overall().runtime == Approx(1.6));
  CHECK(e.overall().mem_n == 0);  // 50e6 is below the p50 of 80e6: not told yet
  CHECK(e.above_p95() == 1);
  CHECK(e.overdue(2) == 0);  // it alone makes the ratio
  e.started(1);
  run::LiveSample two[2] = {ls, ls};
  two[1].task = 1;
  two[1].elapsed_s = 11;  // ratio sqrt(1.6 * 1.1) = 1.33: task 0 at 1.6 is past 1.1 × 1.33
  e.sampled(two);
  e.refresh();
  CHECK(e.overdue(2) == 1);
  // A retry starts again: no longer past anything (task 1 still is).
  e.finished(0, succeeded(16, 50'000'000), true);
  e.started(0);
  e.refresh();
  CHECK(e.evidence() == 1);
  CHECK(e.overall().runtime == Approx(1.1));
}

TEST_CASE("evidence: a task that failed for good takes everything below it") {
  Synthetic s;
  s.add("top", "x", {}, 1, 1, 0, 1);
  s.add("mid", "x", {"top"}, 1, 1, 0, 1);
  s.add("low", "x", {"mid"}, 1, 1, 0, 1);
  s.add("side", "x", {}, 1, 1, 0, 1);
  model::Dag dag(s.wf);
  Evidence e(s.wf, dag, s.estimates);
  e.started(0);
  run::AttemptResult ar;
  ar.status = "failed";
  e.finished(0, ar, false);
  CHECK(e.task(0).state == TaskState::gone);
  CHECK(e.task(1).state == TaskState::gone);
  CHECK(e.task(2).state == TaskState::gone);
  CHECK(e.task(3).state == TaskState::pending);
}
