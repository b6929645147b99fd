// The controller on synthetic runs whose truth is known: a stream whose workers take twice the
// forecast gets its capacity grown early and ends sooner than without feedback; one whose workers
// take half releases capacity early; hysteresis, observe mode, refusals and the order of a shrink.
#include <algorithm>

#include <catch2/catch.hpp>

#include "control/feedback.h"
#include "control/feedback_json.h"
#include "io/json.h"
#include "synthetic.h"

using namespace wf;
using namespace wf::control;
using namespace wf::control::testing;

namespace {

struct Setup {
  Synthetic s;
  model::Dag dag;
  run::Events events;  // discards
  util::FakeClock clock;
  Policy policy;
  explicit Setup(Synthetic syn) : s(std::move(syn)), dag(s.wf) {
    policy.check_interval_s = 1;
    policy.min_interval_s = 5;
    policy.max = {12, 64e9};
  }
  Feedback make(schedule::Capacity initial, Mode mode, Resizer* resizer) {
    return Feedback(s.wf, dag, s.info, s.estimates, initial, mode, policy, resizer, events);
  }
};

// 12 chunks; workers forecast 4 s, so about 4 at once: 4.1 cpus is what the forecast needs.
constexpr schedule::Capacity kProvisioned{4.1, 450e6};

}  // namespace

TEST_CASE("feedback: workers taking twice the forecast: capacity grows before the backlog builds, the run ends sooner") {
  Setup without(stream(12, 4, 2));
  SyntheticRun base = drive(without.s, without.dag, kProvisioned, nullptr, without.clock);

  Setup with(stream(12, 4, 2));
  FakeResizer resizer;
  Feedback fb = with.make(kProvisioned, Mode::resize, &resizer);
  SyntheticRun run = drive(with.s, with.dag, kProvisioned, &fb, with.clock);
  const auto& sum = fb.summary();
  REQUIRE(!sum.decisions.empty());
  // Memory first: the workers' peak RSS is twice the forecast from their first samples on.
  const Decision& first = sum.decisions.front();
  CHECK(first.action == "grow");
  CHECK(first.outcome == "granted");
  CHECK(first.to.mem_bytes > 1.25 * kProvisioned.mem_bytes);
  // Then cpus, once workers run past their forecast: before the forecast's last worker could
  // have started (12 s), from running workers (the first at 2x ends at 9 s).
  auto grow = std::find_if(sum.decisions.begin(), sum.decisions.end(), [](const Decision& d) { return d.to.cpus > d.from.cpus; });
  REQUIRE(grow != sum.decisions.end());
  CHECK(grow->action == "grow");
  // Nothing was given back before: the early evidence (running workers past their forecast) is a
  // lower bound, not a reason to shrink.
  for (auto it = sum.decisions.begin(); it != grow; ++it) CHECK(it->action == "grow");
  CHECK(grow->to.cpus > 6);
  CHECK(grow->t_s < 9);
  REQUIRE(resizer.requests.size() >= 2);
  CHECK(resizer.requests.front().mem_bytes == first.to.mem_bytes);
  // The executor scheduled into the granted capacity.
  REQUIRE(!run.capacity_changes.empty());
  CHECK(run.capacity_changes.front().second.mem_bytes == first.to.mem_bytes);
  INFO("makespan without feedback " << base.makespan_s << " s, with " << run.makespan_s << " s");
  CHECK(run.makespan_s < 0.85 * base.makespan_s);
}

TEST_CASE("feedback: workers taking half the forecast: capacity is released early, the run is not slower") {
  Setup without(stream(12, 4, 0.5));
  SyntheticRun base = drive(without.s, without.dag, kProvisioned, nullptr, without.clock);

  Setup with(stream(12, 4, 0.5));
  FakeResizer resizer;
  Feedback fb = with.make(kProvisioned, Mode::resize, &resizer);
  SyntheticRun run = drive(with.s, with.dag, kProvisioned, &fb, with.clock);
  const auto& sum = fb.summary();
  REQUIRE(!sum.decisions.empty());
  const Decision& first = sum.decisions.front();
  CHECK(first.action == "shrink");
  CHECK(first.outcome == "granted");
  CHECK(first.to.cpus < 3);
  CHECK(first.t_s < base.makespan_s / 2);
  INFO("makespan without feedback " << base.makespan_s << " s, with " << run.makespan_s << " s");
  CHECK(run.makespan_s <= base.makespan_s * 1.1);
  double held_base = kProvisioned.cpus * base.makespan_s;
  CHECK(sum.cpu_s < 0.8 * held_base);
}

TEST_CASE("feedback: workers taking three times the forecast: no shrink on the first, still rising, evidence") {
  Setup with(stream(12, 4, 3));
  with.policy.slack_floor_s = 2;  // a generous shrink slack: only the overdue rule stops a shrink
  FakeResizer resizer;
  Feedback fb = with.make(kProvisioned, Mode::resize, &resizer);
  drive(with.s, with.dag, kProvisioned, &fb, with.clock);
  REQUIRE(!fb.summary().decisions.empty());
  CHECK(fb.summary().decisions.front().action == "grow");
}

TEST_CASE("feedback: a run as forecast grows nothing") {
  Setup with(stream(12, 4, 1));
  FakeResizer resizer;
  Feedback fb = with.make(kProvisioned, Mode::resize, &resizer);
  drive(with.s, with.dag, kProvisioned, &fb, with.clock);
  for (const auto& d : fb.summary().decisions) CHECK(d.action == "shrink");  // at most the tail is released
  CHECK(fb.summary().ratio.runtime == Approx(1).epsilon(0.05));
}

TEST_CASE("feedback: observe mode decides and reports, and never changes the capacity") {
  Setup with(stream(12, 4, 2));
  FakeResizer resizer;
  Feedback fb = with.make(kProvisioned, Mode::observe, &resizer);
  SyntheticRun run = drive(with.s, with.dag, kProvisioned, &fb, with.clock);
  REQUIRE(!fb.summary().decisions.empty());
  CHECK(fb.summary().decisions.front().outcome == "observed");
  CHECK(run.capacity_changes.empty());
  CHECK(resizer.requests.empty());
  CHECK(fb.summary().cpu_s == Approx(kProvisioned.cpus * run.makespan_s));
}

TEST_CASE("feedback: hysteresis: confirmations and the interval between decisions") {
  Setup a(stream(12, 4, 2));
  FakeResizer r1;
  Feedback quick = a.make(kProvisioned, Mode::observe, &r1);
  drive(a.s, a.dag, kProvisioned, &quick, a.clock);

  Setup b(stream(12, 4, 2));
  b.policy.confirmations = 4;
  b.policy.min_interval_s = 1e9;
  FakeResizer r2;
  Feedback slow = b.make(kProvisioned, Mode::observe, &r2);
  drive(b.s, b.dag, kProvisioned, &slow, b.clock);
  REQUIRE(!quick.summary().decisions.empty());
  REQUIRE(slow.summary().decisions.size() == 1);  // nothing after the first
  // Two more agreeing checks, one second apart.
  CHECK(slow.summary().decisions[0].t_s >= quick.summary().decisions[0].t_s + 2 - 1e-9);
}

TEST_CASE("feedback: a refused grow leaves the capacity as it was") {
  Setup with(stream(12, 4, 2));
  with.policy.min_interval_s = 1e9;
  FakeResizer resizer;
  resizer.refuse = true;
  Feedback fb = with.make(kProvisioned, Mode::resize, &resizer);
  SyntheticRun run = drive(with.s, with.dag, kProvisioned, &fb, with.clock);
  REQUIRE(fb.summary().decisions.size() == 1);
  CHECK(fb.summary().decisions[0].outcome == "refused");
  CHECK(!fb.summary().decisions[0].error.empty());
  CHECK(run.capacity_changes.empty());
  CHECK(fb.summary().final_capacity.cpus == kProvisioned.cpus);
}

TEST_CASE("feedback: a grow is scheduled into only once granted; a shrink at once, released when what runs fits") {
  SECTION("grow") {
    Setup with(stream(12, 4, 2));
    FakeResizer resizer;
    resizer.answer_after_polls = 8;  // two seconds of samples
    Feedback fb = with.make(kProvisioned, Mode::resize, &resizer);
    SyntheticRun run = drive(with.s, with.dag, kProvisioned, &fb, with.clock);
    REQUIRE(!fb.summary().decisions.empty());
    REQUIRE(!run.capacity_changes.empty());
    CHECK(run.capacity_changes.front().first >= fb.summary().decisions.front().t_s + 2 - 1e-9);
  }
  SECTION("shrink") {
    Setup with(stream(12, 4, 0.5));
    FakeResizer resizer;
    Feedback fb = with.make(kProvisioned, Mode::resize, &resizer);
    SyntheticRun run = drive(with.s, with.dag, kProvisioned, &fb, with.clock);
    REQUIRE(!fb.summary().decisions.empty());
    REQUIRE(!run.capacity_changes.empty());
    CHECK(run.capacity_changes.front().first == Approx(fb.summary().decisions.front().t_s));
    REQUIRE(!resizer.requests.empty());
    CHECK(resizer.requests.front().cpus == fb.summary().decisions.front().to.cpus);
  }
}

TEST_CASE("feedback: without a resizer the executor's capacity follows the decisions at once") {
  Setup with(stream(12, 4, 2));
  Feedback fb = with.make(kProvisioned, Mode::resize, nullptr);
  SyntheticRun run = drive(with.s, with.dag, kProvisioned, &fb, with.clock);
  REQUIRE(!fb.summary().decisions.empty());
  CHECK(fb.summary().decisions[0].outcome == "applied");
  REQUIRE(!run.capacity_changes.empty());
  CHECK(run.capacity_changes.front().first == Approx(fb.summary().decisions[0].t_s));
}

TEST_CASE("feedback: the summary as JSON") {
  Setup with(stream(12, 4, 2));
  FakeResizer resizer;
  Feedback fb = with.make(kProvisioned, Mode::resize, &resizer);
  drive(with.s, with.dag, kProvisioned, &fb, with.clock);
  io::JsonDoc doc;
  io::Json j = feedback_to_json(fb.summary(), doc.GetAllocator());
  CHECK(io::view(j["mode"]) == "resize");
  CHECK(io::view(j["resizes"]) == "fake lease");
  CHECK(j["decisions"].Size() == fb.summary().decisions.size());
  CHECK(io::view(j["decisions"][0]["action"]) == "grow");
  CHECK(j["categories"].HasMember("work"));
  CHECK(j["categories"]["work"]["runtime"].GetDouble() == Approx(2).epsilon(0.05));
  CHECK(j["capacity_held"]["cpu_hours"].GetDouble() > 0);
}
