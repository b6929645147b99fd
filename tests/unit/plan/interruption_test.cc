#include <catch2/catch.hpp>

#include <cmath>

#include "plan/interruption.h"

using namespace wf::plan;

TEST_CASE("interruption buckets map to their midpoint per month and an hourly hazard") {
  auto r = interruption_from_bucket(" 5-10% ");
  REQUIRE(r);
  CHECK(r->bucket == "5-10%");
  CHECK(r->month_fraction == 0.075);
  // One month of runtime reproduces the monthly probability.
  CHECK(1 - std::exp(-r->per_hour * kHoursPerMonth) == Approx(0.075));
  CHECK(interruption_from_bucket("<5%")->month_fraction == 0.025);
  CHECK(interruption_from_bucket(">20%")->month_fraction == 0.30);
  CHECK_FALSE(interruption_from_bucket("20%"));
  Interruption unknown = unknown_interruption();
  CHECK(unknown.assumed);
  CHECK(unknown.bucket == ">20%");
}

TEST_CASE("expected interruption cost: formula, limits and monotonicity") {
  Interruption r = *interruption_from_bucket("15-20%");
  // Zero window, zero cost; no hazard, no cost.
  CHECK(expected_interruption_usd(r, 0, 0.03, 0.1, 1) == 0);
  Interruption none = r;
  none.per_hour = 0;
  CHECK(expected_interruption_usd(none, 10, 0.03, 0.1, 1) == 0);
  // By hand: lambda = -ln(0.825)/730; T = 10 h; lost 0.5 h; replacement 0.1, spot 0.03.
  double lambda = -std::log(0.825) / 730, p = 1 - std::exp(-lambda * 10);
  double want = p * 0.1 * 0.5 + (0.1 - 0.03) * (10 - p / lambda);
  CHECK(expected_interruption_usd(r, 10, 0.03, 0.1, 0.5) == Approx(want));
  // Longer windows and worse buckets cost more.
  CHECK(expected_interruption_usd(r, 20, 0.03, 0.1, 0.5) > expected_interruption_usd(r, 10, 0.03, 0.1, 0.5));
  Interruption worse = *interruption_from_bucket(">20%");
  CHECK(expected_interruption_usd(worse, 10, 0.03, 0.1, 0.5) > expected_interruption_usd(r, 10, 0.03, 0.1, 0.5));
}
