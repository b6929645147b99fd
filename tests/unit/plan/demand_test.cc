#include <catch2/catch.hpp>

#include "plan/bytes.h"
#include "plan/demand.h"
#include "util/error.h"

using namespace wf::plan;

namespace {

std::string error_of(const Demand& d) {
  try {
    validate(d);
  } catch (const wf::Error& e) {
    CHECK(e.exit() == wf::util::Exit::data);
    return e.what();
  }
  return "no error";
}

}  // namespace

TEST_CASE("billing: per-second with a 60 s minimum, per-hour rounds up") {
  Billing s = Billing::per_second();
  CHECK(s.billed_s(0) == 0);
  CHECK(s.billed_s(10) == 60);
  CHECK(s.billed_s(61.2) == 62);
  CHECK(s.cost_usd(3.6, 10) == Approx(0.06));
  Billing h = Billing::per_hour();
  CHECK(h.billed_s(1) == 3600);
  CHECK(h.billed_s(3600.0000001) == 3600);  // float noise does not bill a second hour
  CHECK(h.billed_s(3601) == 7200);
  CHECK(s.name() == "per-second (60 s minimum)");
  CHECK(h.name() == "per-hour");
}

TEST_CASE("demand validation names the step and the problem") {
  Demand d;
  d.steps = {{0, 60, 2, kGiB, 0}, {30, 90, 2, kGiB, 0}};
  CHECK(error_of(d) == "demand step 2: starts at 30 s, before step 1 ends at 60 s");
  d.steps = {{0, 60, -2, kGiB, 0}};
  CHECK(error_of(d) == "demand step 1: cpus must be a finite number >= 0, found -2");
  d.steps = {{60, 60, 2, kGiB, 0}};
  CHECK(error_of(d) == "demand step 1: window [60, 60) is empty");
  d.steps = {{0, 7200, 2, kGiB, 0}};
  d.deadline_s = 3600;
  CHECK(error_of(d) == "demand runs until 7200 s, past the deadline 3600 s: the forecast makespan does not fit");
  d.deadline_s = 0;
  d.data_gb = 10;
  CHECK(error_of(d) == "demand: data_gb is 10 but data_region is not given");
  d.data_region = "us-east-1";
  d.budget_usd = -1;
  CHECK(error_of(d) == "demand: budget_usd must be a finite number >= 0, found -1");
}

TEST_CASE("segments: gaps become empty stretches, equal neighbours merge") {
  Demand d;
  d.steps = {{10, 20, 2, kGiB, 0}, {20, 30, 2, kGiB, 0}, {40, 50, 4, kGiB, 0}};
  auto segs = segments(d);
  REQUIRE(segs.size() == 3);
  CHECK(segs[0].t_start_s == 10);
  CHECK(segs[0].t_end_s == 30);
  CHECK(segs[1].empty());
  CHECK(segs[1].t_start_s == 30);
  CHECK(segs[1].t_end_s == 40);
  CHECK(segs[2].cpus == 4);
  CHECK(d.start_s() == 10);
  CHECK(d.end_s() == 50);
}
