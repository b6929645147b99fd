// The fitting pieces: Huber regression, calibrated residual quantiles, and the cross-validated
// choice of a measure's model — on synthetic data whose truth is known.
#include <catch2/catch.hpp>

#include <cmath>
#include <vector>

#include "model_synthetic.h"
#include "predict/fit_quantiles.h"
#include "predict/fit_robust.h"
#include "predict/model_category.h"
#include "predict/model_measure.h"

using namespace wf;
using namespace wf::predict;
using wf::predict::testing::power_law;
using wf::predict::testing::Rng;
using wf::predict::testing::row;

TEST_CASE("fit_huber recovers a line that a few gross outliers would drag under least squares") {
  Eigen::MatrixXd x(40, 1);
  Eigen::VectorXd y(40);
  for (int i = 0; i < 40; ++i) {
    x(i, 0) = i;
    y(i) = 3 + 0.5 * i + (i % 2 ? 0.01 : -0.01);
  }
  y(5) += 50;
  y(30) += 80;
  RobustFit fit = fit_huber(x, y);
  CHECK(fit.slopes(0) == Approx(0.5).margin(0.01));
  CHECK(fit.intercept == Approx(3).margin(0.1));
}

TEST_CASE("fit_huber gives a feature that never varies a zero slope") {
  Eigen::MatrixXd x(6, 2);
  Eigen::VectorXd y(6);
  for (int i = 0; i < 6; ++i) {
    x(i, 0) = i;
    x(i, 1) = 7;
    y(i) = 1 + 2 * i;
  }
  RobustFit fit = fit_huber(x, y);
  CHECK(fit.slopes(0) == Approx(2).margin(1e-6));
  CHECK(fit.slopes(1) == Approx(0).margin(1e-6));
  CHECK(fit.intercept == Approx(1).margin(1e-5));
}

TEST_CASE("predictive_quantile reads ranks at u(n+1) and extrapolates past the largest residual") {
  std::vector<double> r = {1, 2, 3, 4, 5, 6, 7, 8, 9};  // n = 9: rank of u is 10u
  CHECK(predictive_quantile(r, 0.5, 0.01) == Approx(5));
  CHECK(predictive_quantile(r, 0.85, 0.01) == Approx(8.5));
  // Beyond rank 9 (u > 0.9): max + mean excess over the median (2.5) × log(1 / (10 (1 - u))).
  CHECK(predictive_quantile(r, 0.95, 0.01) == Approx(9 + 2.5 * std::log(2.0)));
  CHECK(predictive_quantile(r, 0.99, 0.01) == Approx(9 + 2.5 * std::log(10.0)));
  // Below rank 1 (u < 0.1): min − mean shortfall under the median, the lower half's own scale.
  std::vector<double> skewed = {-9, -3, -1, 0, 0, 0, 1, 1.5, 2};  // shortfall 13/3, excess 1.5
  CHECK(predictive_quantile(skewed, 0.05, 0.01) == Approx(-9 - 13.0 / 3 * std::log(2.0)));
  CHECK(predictive_quantile(skewed, 0.95, 0.01) == Approx(2 + 1.5 * std::log(2.0)));
  // All alike: the tail's floor keeps the upper quantiles apart from the median.
  std::vector<double> same(5, 0.0);
  Spread s = calibrated_spread(same, 0.02);
  CHECK(s.q50 == 0);
  CHECK(s.q95 > 0);
  CHECK(s.q99 > s.q95);
}

TEST_CASE("a measure with a feature that explains it gets the regression, and a held-out error") {
  auto rows = power_law("align", 7, 60, 0.1);
  CategoryFit fit = fit_category("align", rows);
  const MeasureFit& m = fit.at(Measure::runtime_s);
  REQUIRE(m.chosen);
  CHECK(m.chosen->name == "loglinear(input_bytes)");
  CHECK(m.chosen->source == Source::model);
  CHECK(m.chosen->slopes.at(0) == Approx(0.8).margin(0.05));
  CHECK(*m.chosen->error < 0.15);
  REQUIRE(m.stats);  // kept for tasks without the feature
  CHECK(m.stats->name == "median");
  REQUIRE(m.candidates.size() == 3);
  CHECK(m.candidates[0].name == "median");
  CHECK(m.candidates[1].name == "loglinear(input_bytes)");
  CHECK(m.candidates[2].name == "linear(input_bytes)");
  CHECK(m.candidates[0].error > m.candidates[1].error);
}

TEST_CASE("an affine measure (a base plus a part proportional to the input) gets the linear model") {
  Rng rng{5};
  std::vector<history::Execution> rows;
  for (int i = 0; i < 40; ++i) {
    double input = 1e6 * std::pow(1000.0, rng.uniform());
    auto e = row("sort", i, 10, input);
    e.peak_rss_bytes = static_cast<std::int64_t>((1e8 + 0.5 * input) * (1 + 0.02 * rng.normal()));
    rows.push_back(e);
  }
  CategoryFit fit = fit_category("sort", rows);
  const MeasureFit& m = fit.at(Measure::mem_bytes);
  REQUIRE(m.chosen);
  CHECK(m.chosen->name == "linear(input_bytes)");
  CHECK(m.chosen->slopes.at(0) == Approx(0.5).epsilon(0.05));
  Provenance from;
  Quantiles q = *m.evaluate({{"input_bytes", 4e8}}, from);
  CHECK(q.p50 == Approx(3e8).epsilon(0.03));
  CHECK(q.p95 > q.p50);
  // Below every input it has seen, an affine fit is held at the smallest value it learned from.
  Quantiles low = *m.evaluate({{"input_bytes", 0}}, from);
  CHECK(low.p50 >= 0.9e8);
}

TEST_CASE("noise that no feature explains keeps the median") {
  Rng rng{3};
  std::vector<history::Execution> rows;
  for (int i = 0; i < 40; ++i) rows.push_back(row("qc", i, 100 * std::exp(0.3 * rng.normal()), 1e6 * (i + 1)));
  CategoryFit fit = fit_category("qc", rows);
  const MeasureFit& m = fit.at(Measure::runtime_s);
  REQUIRE(m.chosen);
  CHECK(m.chosen->name == "median");
  CHECK(m.chosen->source == Source::stats);
  CHECK_FALSE(m.stats);
}

TEST_CASE("over many histories, a useless feature is rarely chosen and a useful one almost always") {
  int noise_chosen = 0, signal_chosen = 0;
  for (uint64_t seed = 1; seed <= 100; ++seed) {
    Rng rng{seed};
    std::vector<history::Execution> noise;
    for (int i = 0; i < 40; ++i) noise.push_back(row("n", i, 100 * std::exp(0.3 * rng.normal()), 1e6 * (i + 1)));
    CategoryFit a = fit_category("n", noise);
    noise_chosen += a.at(Measure::runtime_s).chosen->source == Source::model;
    CategoryFit b = fit_category("s", power_law("s", seed, 40, 0.5));
    signal_chosen += b.at(Measure::runtime_s).chosen->source == Source::model;
  }
  CHECK(noise_chosen <= 10);
  CHECK(signal_chosen >= 95);
}

TEST_CASE("sample counts decide what may compete") {
  SECTION("fewer than 5: the median with a wide margin over the largest") {
    std::vector<history::Execution> rows = {row("a", 0, 10), row("a", 1, 20), row("a", 2, 40)};
    CategoryFit fit = fit_category("a", rows);
  const MeasureFit& m = fit.at(Measure::runtime_s);
    REQUIRE(m.chosen);
    CHECK(m.chosen->name == "max+margin");
    Provenance from;
    Quantiles q = *m.evaluate({}, from);
    CHECK(q.p50 == Approx(20));
    CHECK(q.p90 == Approx(50));
    CHECK(q.p95 == Approx(60));
    CHECK(q.p99 == Approx(80));
    CHECK(from.samples == 3);
    CHECK(from.error.has_value());  // leave-one-out of the median
  }
  SECTION("5 to 7: the median only, even when a feature would explain it") {
    auto rows = power_law("b", 1, 7, 0.05);
    CategoryFit fit = fit_category("b", rows);
  const MeasureFit& m = fit.at(Measure::runtime_s);
    CHECK(m.chosen->name == "median");
    CHECK(m.candidates.size() == 1);
  }
  SECTION("none: no model, and the measure says so") {
    CategoryFit fit = fit_category("c", {});
  const MeasureFit& m = fit.at(Measure::mem_bytes);
    CHECK_FALSE(m.chosen);
    Provenance from;
    CHECK_FALSE(m.evaluate({}, from));
  }
}

TEST_CASE("a thin, wide history does not put a tail at thousands of cores or hours") {
  // Five executions whose CPU use spans 0.04 to 1.7 cores (a real category of the soykb traces):
  // the tail read beyond the largest of five residuals alone would put p99 at thousands of cores.
  const double used[] = {0.04, 0.05, 0.15, 0.9, 1.7};
  const double runtime[] = {50, 55, 60, 300, 3000};
  std::vector<history::Execution> rows;
  for (int i = 0; i < 5; ++i) {
    auto e = row("thin", i, runtime[i]);
    e.cpu_time_s = used[i] * runtime[i];
    rows.push_back(e);
  }
  CategoryFit fit = fit_category("thin", rows);
  Provenance from;
  Quantiles cpus = *fit.at(Measure::cpus).evaluate({}, from);
  CHECK(cpus.p99 <= 2 * 1.7 + 1e-9);
  CHECK(cpus.p95 > 1.0);  // still wide: the history says a task may use 1.7 cores
  Quantiles rt = *fit.at(Measure::runtime_s).evaluate({}, from);
  CHECK(rt.p99 <= 20 * 3000 + 1e-6);
  CHECK(rt.p99 >= rt.p95);
}

TEST_CASE("cpus used is cpu time over runtime; measures missing from the rows stay unfitted") {
  std::vector<history::Execution> rows;
  for (int i = 0; i < 10; ++i) {
    auto e = row("x", i, 100);
    e.cpu_time_s = 250;
    rows.push_back(e);
  }
  CategoryFit fit = fit_category("x", rows);
  CHECK(fit.at(Measure::cpus).summary.median == Approx(2.5));
  CHECK_FALSE(fit.at(Measure::mem_bytes).chosen);
  CHECK_FALSE(fit.at(Measure::read_bytes).chosen);
}

// The calibration claim: on fresh draws from the same process, p50/p90/p95/p99 are exceeded
// about 50/10/5/1% of the time.
TEST_CASE("intervals from held-out residuals are calibrated on fresh data") {
  auto train = power_law("k", 11, 300, 0.4);
  auto test = power_law("k", 12, 4000, 0.4);
  CategoryFit fit = fit_category("k", train);
  const MeasureFit& m = fit.at(Measure::runtime_s);
  REQUIRE(m.chosen->name == "loglinear(input_bytes)");
  size_t over10 = 0, over25 = 0, over50 = 0, over90 = 0, over95 = 0, over99 = 0;
  for (const auto& e : test) {
    Provenance from;
    Quantiles q = *m.evaluate(e.features, from);
    REQUIRE(q.p10);
    REQUIRE(q.p25);
    over10 += *e.runtime_s > *q.p10;
    over25 += *e.runtime_s > *q.p25;
    over50 += *e.runtime_s > q.p50;
    over90 += *e.runtime_s > q.p90;
    over95 += *e.runtime_s > q.p95;
    over99 += *e.runtime_s > q.p99;
  }
  auto rate = [&](size_t k) { return static_cast<double>(k) / static_cast<double>(test.size()); };
  CHECK(rate(over10) == Approx(0.90).margin(0.03));
  CHECK(rate(over25) == Approx(0.75).margin(0.04));
  CHECK(rate(over50) == Approx(0.50).margin(0.05));
  CHECK(rate(over90) == Approx(0.10).margin(0.03));
  CHECK(rate(over95) == Approx(0.05).margin(0.02));
  CHECK(rate(over99) == Approx(0.01).margin(0.01));
}

TEST_CASE("small samples are widened, not overconfident: p95 over many small histories") {
  // 200 histories of 10 rows each (the median model); each predicts 50 fresh rows.
  size_t over95 = 0, total = 0;
  for (uint64_t seed = 1; seed <= 200; ++seed) {
    Rng rng{seed * 7919};
    std::vector<history::Execution> rows;
    for (int i = 0; i < 10; ++i) rows.push_back(row("s", i, 30 * std::exp(0.5 * rng.normal())));
    CategoryFit fit = fit_category("s", rows);
  const MeasureFit& m = fit.at(Measure::runtime_s);
    Provenance from;
    Quantiles q = *m.evaluate({}, from);
    for (int j = 0; j < 50; ++j, ++total) over95 += 30 * std::exp(0.5 * rng.normal()) > q.p95;
  }
  double rate = static_cast<double>(over95) / static_cast<double>(total);
  CHECK(rate <= 0.06);
  CHECK(rate >= 0.01);  // widened, yet still an interval rather than a wall
}

// One input size per run, as WfCommons' bwa instances have it: runtime and memory grow in
// proportion to the input, which history cannot tell from two sizes (a regression needs three).
std::vector<history::Execution> two_sizes(uint64_t seed) {
  Rng rng{seed};
  std::vector<history::Execution> rows;
  for (int i = 0; i < 40; ++i) {
    double input = i % 2 ? 2e8 : 1e8;
    auto e = row("bwa", i, 1e-8 * input * std::exp(0.1 * rng.normal()), input);
    e.peak_rss_bytes = static_cast<std::int64_t>(0.1 * input * std::exp(0.1 * rng.normal()));
    e.cpu_time_s = 0.8 * *e.runtime_s;
    rows.push_back(e);
  }
  return rows;
}

TEST_CASE("an input larger than any learned from widens a median model's interval by how far, and says so") {
  CategoryFit fit = fit_category("bwa", two_sizes(11));
  const MeasureFit& rt = fit.at(Measure::runtime_s);
  REQUIRE(rt.chosen);
  REQUIRE(rt.chosen->name == "median");
  REQUIRE(rt.input_range);
  CHECK(rt.input_range->first == 1e8);
  CHECK(rt.input_range->second == 2e8);
  Provenance inside, beyond;
  Quantiles at_max = *rt.evaluate({{"input_bytes", 2e8}}, inside);
  CHECK_FALSE(inside.input_ratio);
  Quantiles far = *rt.evaluate({{"input_bytes", 2e9}}, beyond);  // 10x the largest
  REQUIRE(beyond.input_ratio);
  CHECK(*beyond.input_ratio == Approx(10));
  // Level u moves by 10^u: the median by sqrt(10), p95 by 10^0.95.
  CHECK(far.p50 == Approx(at_max.p50 * std::sqrt(10.0)).epsilon(0.01));
  CHECK(far.p95 == Approx(at_max.p95 * std::pow(10.0, 0.95)).epsilon(0.01));
  CHECK(*far.p10 == Approx(*at_max.p10 * std::pow(10.0, 0.1)).epsilon(0.01));
  // The truth of this history (runtime in proportion, 20 s) is inside the widened interval and far
  // above the unwidened one.
  CHECK(far.p95 > 20);
  CHECK(at_max.p99 < 20);
  // Memory widens the same way; CPU use, bounded by threads and not by the input, does not.
  Provenance mem_from, cpu_from, cpu_inside;
  Provenance mem_inside;
  double mem_far = fit.at(Measure::mem_bytes).evaluate({{"input_bytes", 2e9}}, mem_from)->p95;
  CHECK(mem_far > 2e8);  // the truth: 0.1 byte per input byte
  CHECK(mem_far > 5 * fit.at(Measure::mem_bytes).evaluate({{"input_bytes", 2e8}}, mem_inside)->p95);
  CHECK(mem_from.input_ratio);
  auto cpus_far = *fit.at(Measure::cpus).evaluate({{"input_bytes", 2e9}}, cpu_from);
  auto cpus_in = *fit.at(Measure::cpus).evaluate({{"input_bytes", 2e8}}, cpu_inside);
  CHECK_FALSE(cpu_from.input_ratio);
  CHECK(cpus_far.p95 == cpus_in.p95);
}

TEST_CASE("an input smaller than any learned from is left as estimated") {
  CategoryFit fit = fit_category("bwa", two_sizes(12));
  const MeasureFit& rt = fit.at(Measure::runtime_s);
  Provenance inside, below;
  Quantiles at_min = *rt.evaluate({{"input_bytes", 1e8}}, inside);
  Quantiles small = *rt.evaluate({{"input_bytes", 1e7}}, below);
  CHECK_FALSE(below.input_ratio);
  CHECK(small.p50 == at_min.p50);
  CHECK(small.p95 == at_min.p95);
  // A task declaring no input, or none at all, is not placed anywhere.
  Provenance none;
  CHECK(rt.evaluate({{"input_bytes", 0}}, none)->p50 == Approx(rt.evaluate({}, inside)->p50));
  CHECK_FALSE(none.input_ratio);
}

TEST_CASE("a regression on the input extrapolates along its slope, its interval widened by the leverage") {
  auto rows = power_law("align", 7, 60, 0.1);  // inputs 10 MB .. 10 GB
  CategoryFit fit = fit_category("align", rows);
  const MeasureFit& m = fit.at(Measure::runtime_s);
  REQUIRE(m.chosen->name == "loglinear(input_bytes)");
  REQUIRE(m.input_range);
  REQUIRE(m.chosen->input_ss > 0);
  double top = m.input_range->second;
  Provenance at, beyond;
  Quantiles edge = *m.evaluate({{"input_bytes", top}}, at);
  Quantiles far = *m.evaluate({{"input_bytes", top * 4}}, beyond);
  CHECK_FALSE(at.input_ratio);
  REQUIRE(beyond.input_ratio);
  CHECK(*beyond.input_ratio == Approx(4));
  // The centre follows the slope (about 0.8): 4^0.8 = 3.0x.
  CHECK(far.p50 / edge.p50 == Approx(std::pow(4.0, m.chosen->slopes.at(0))).epsilon(0.05));
  // The spread grows as a least-squares prediction interval's: by sqrt(1 + (t - mean)² / ss) over
  // the same at the edge — little, 4x beyond 60 rows spread over three decades.
  auto lev = [&](double x) { return std::sqrt(1 + std::pow(slog1p(x) - m.chosen->input_mean, 2) / m.chosen->input_ss); };
  double widen = lev(top * 4) / lev(top);
  CHECK(widen > 1.01);
  CHECK(std::log(far.p95 / far.p50) == Approx(widen * std::log(edge.p95 / edge.p50)).epsilon(0.02));
  CHECK(std::log(far.p50 / *far.p10) == Approx(widen * std::log(edge.p50 / *edge.p10)).epsilon(0.02));
  // Far beyond (1000x), the bounds hold: the centre at 20x the p95 seen, every level at 20x the largest.
  Provenance way;
  Quantiles capped = *m.evaluate({{"input_bytes", top * 1000}}, way);
  CHECK(capped.p99 <= 20 * m.summary.max * (1 + 1e-9));
}

TEST_CASE("a regression of CPU use is read at the nearest input it learned from, not beyond") {
  Rng rng{21};
  std::vector<history::Execution> rows;
  for (int i = 0; i < 60; ++i) {
    double input = 1e7 * std::pow(100.0, rng.uniform());  // 10 MB .. 1 GB
    double cpus = 0.05 * std::pow(input / 1e7, 0.4) * std::exp(0.05 * rng.normal());  // 0.05 .. 0.3 cores
    auto e = row("map", i, 10, input);
    e.cpu_time_s = cpus * 10;
    rows.push_back(e);
  }
  CategoryFit fit = fit_category("map", rows);
  const MeasureFit& m = fit.at(Measure::cpus);
  REQUIRE(m.chosen);
  REQUIRE(m.chosen->name == "loglinear(input_bytes)");
  REQUIRE(m.chosen->feature_range.size() == 1);
  double top = m.chosen->feature_range[0].second, bottom = m.chosen->feature_range[0].first;
  Provenance from;
  Quantiles edge = *m.evaluate({{"input_bytes", top}}, from);
  Quantiles far = *m.evaluate({{"input_bytes", top * 100}}, from);  // the trend would say 0.3 x 100^0.4 = 1.9 cores
  CHECK(far.p50 == Approx(edge.p50));
  CHECK(far.p95 == Approx(edge.p95));
  CHECK(edge.p50 == Approx(0.05 * std::pow(top / 1e7, 0.4)).epsilon(0.1));
  Quantiles low = *m.evaluate({{"input_bytes", bottom / 100}}, from);
  CHECK(low.p50 == Approx(m.evaluate({{"input_bytes", bottom}}, from)->p50));
  // Within the range it follows the regression.
  Quantiles mid = *m.evaluate({{"input_bytes", 1e8}}, from);
  CHECK(mid.p50 == Approx(0.05 * std::pow(10.0, 0.4)).epsilon(0.1));
}

TEST_CASE("a regression of CPU use on the declared cpus reads them as they are") {
  Rng rng{22};
  std::vector<history::Execution> rows;
  for (int i = 0; i < 60; ++i) {
    double declared = 1 + i % 4;  // 1 .. 4 threads
    auto e = row("sort", i, 10);
    e.features.emplace_back("cpus", declared);
    e.cpu_time_s = 0.9 * declared * 10 * std::exp(0.03 * rng.normal());
    rows.push_back(e);
  }
  CategoryFit fit = fit_category("sort", rows);
  const MeasureFit& m = fit.at(Measure::cpus);
  REQUIRE(m.chosen);
  REQUIRE(m.chosen->source == Source::model);
  REQUIRE(m.chosen->features == std::vector<std::string>{"cpus"});
  Provenance from;
  double four = m.evaluate({{"cpus", 4}}, from)->p50, eight = m.evaluate({{"cpus", 8}}, from)->p50;
  CHECK(four == Approx(3.6).epsilon(0.05));
  CHECK(eight > 1.5 * four);  // 8 declared threads use more than 4 do, though history saw at most 4
}
