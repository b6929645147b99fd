#include <catch2/catch.hpp>

#include <array>
#include <cmath>
#include <limits>
#include <random>

#include "plan/simplex.h"

using namespace wf::plan;

TEST_CASE("simplex: a covering LP with a known optimum") {
  // min 2x + 3y  s.t.  x + y >= 4,  x + 3y >= 6  ->  x = 3, y = 1, cost 9
  LinearProgram lp{{2, 3}, {{{1, 1}, Sense::ge, 4}, {{1, 3}, Sense::ge, 6}}};
  LpSolution s = minimize(lp);
  REQUIRE(s.status == LpStatus::optimal);
  CHECK(s.objective == Approx(9));
  CHECK(s.x[0] == Approx(3));
  CHECK(s.x[1] == Approx(1));
}

TEST_CASE("simplex: a maximisation written as a minimisation, <= rows") {
  // max 3x + 5y  s.t.  x <= 4, 2y <= 12, 3x + 2y <= 18  ->  (2, 6), value 36
  LinearProgram lp{{-3, -5}, {{{1, 0}, Sense::le, 4}, {{0, 2}, Sense::le, 12}, {{3, 2}, Sense::le, 18}}};
  LpSolution s = minimize(lp);
  REQUIRE(s.status == LpStatus::optimal);
  CHECK(s.objective == Approx(-36));
  CHECK(s.x[0] == Approx(2));
  CHECK(s.x[1] == Approx(6));
}

TEST_CASE("simplex: equality rows, negative right-hand sides, redundancy") {
  // min x + 2y + 3z  s.t.  x + y + z = 10,  -x + y <= -2 (x - y >= 2),  2x + 2y + 2z = 20 (redundant)
  LinearProgram lp{{1, 2, 3},
                   {{{1, 1, 1}, Sense::eq, 10}, {{-1, 1, 0}, Sense::le, -2}, {{2, 2, 2}, Sense::eq, 20}}};
  LpSolution s = minimize(lp);
  REQUIRE(s.status == LpStatus::optimal);
  CHECK(s.objective == Approx(10));
  CHECK(s.x[0] == Approx(10));
}

TEST_CASE("simplex: infeasible and unbounded are reported") {
  LinearProgram infeasible{{1, 1}, {{{1, 1}, Sense::le, 1}, {{1, 1}, Sense::ge, 2}}};
  CHECK(minimize(infeasible).status == LpStatus::infeasible);
  LinearProgram unbounded{{-1, 0}, {{{-1, 1}, Sense::le, 1}, {{0, 1}, Sense::ge, 0}}};  // x grows without limit
  CHECK(minimize(unbounded).status == LpStatus::unbounded);
  LinearProgram no_rows{{1, 2}, {}};
  LpSolution s = minimize(no_rows);
  REQUIRE(s.status == LpStatus::optimal);
  CHECK(s.objective == 0);
}

TEST_CASE("simplex: a degenerate LP terminates (Bland's rule)") {
  // Beale's example, which cycles under the textbook largest-coefficient rule.
  LinearProgram lp{{-0.75, 150, -0.02, 6},
                   {{{0.25, -60, -0.04, 9}, Sense::le, 0}, {{0.5, -90, -0.02, 3}, Sense::le, 0}, {{0, 0, 1, 0}, Sense::le, 1}}};
  LpSolution s = minimize(lp);
  REQUIRE(s.status == LpStatus::optimal);
  CHECK(s.objective == Approx(-0.05));
}

// Two-variable covering LPs: the optimum lies on a vertex, which brute force finds.
TEST_CASE("simplex: random covering LPs match vertex enumeration") {
  std::mt19937 rng(7);
  auto uniform = [&](double lo, double hi) { return lo + (hi - lo) * static_cast<double>(rng() % 10000) / 10000.0; };
  for (int trial = 0; trial < 200; ++trial) {
    LinearProgram lp{{uniform(0.1, 5), uniform(0.1, 5)}, {}};
    int rows = 1 + static_cast<int>(rng() % 4);
    for (int r = 0; r < rows; ++r) lp.constraints.push_back({{uniform(0.1, 4), uniform(0.1, 4)}, Sense::ge, uniform(0, 10)});
    // Lines: every row as equality, plus the axes x = 0 and y = 0.
    std::vector<std::array<double, 3>> lines;
    for (const auto& c : lp.constraints) lines.push_back({c.coefficients[0], c.coefficients[1], c.rhs});
    lines.push_back({1, 0, 0});
    lines.push_back({0, 1, 0});
    double best = std::numeric_limits<double>::infinity();
    for (size_t i = 0; i < lines.size(); ++i)
      for (size_t j = i + 1; j < lines.size(); ++j) {
        double det = lines[i][0] * lines[j][1] - lines[i][1] * lines[j][0];
        if (std::fabs(det) < 1e-12) continue;
        double x = (lines[i][2] * lines[j][1] - lines[i][1] * lines[j][2]) / det;
        double y = (lines[i][0] * lines[j][2] - lines[i][2] * lines[j][0]) / det;
        bool ok = x >= -1e-9 && y >= -1e-9;
        for (const auto& c : lp.constraints) ok = ok && c.coefficients[0] * x + c.coefficients[1] * y >= c.rhs - 1e-9;
        if (ok) best = std::min(best, lp.cost[0] * x + lp.cost[1] * y);
      }
    LpSolution s = minimize(lp);
    REQUIRE(s.status == LpStatus::optimal);
    CHECK(s.objective == Approx(best).margin(1e-9));
  }
}
