// Run correlations: the intraclass estimator, the category fit that learns it, and the forecast's
// shared draws (wider sums, unchanged per-task quantiles, unchanged independent draws).
#include <catch2/catch.hpp>

#include <cmath>

#include "model_synthetic.h"
#include "predict/fit_correlation.h"
#include "predict/forecast.h"
#include "predict/model_category.h"

using namespace wf;
using namespace wf::predict;

namespace {

// `runs` runs of `per_run` residuals: run effect sd `between`, within-run sd `within`.
void grouped(size_t runs, size_t per_run, double between, double within, uint64_t seed, std::vector<double>& r,
             std::vector<uint32_t>& run_of) {
  testing::Rng rng{seed};
  for (size_t k = 0; k < runs; ++k) {
    double effect = between * rng.normal();
    for (size_t i = 0; i < per_run; ++i) {
      r.push_back(effect + within * rng.normal());
      run_of.push_back(static_cast<uint32_t>(k));
    }
  }
}

model::Workflow wide(size_t n) {
  model::Workflow wf;
  for (size_t i = 0; i < n; ++i) {
    model::Task t;
    t.id = "t" + std::to_string(i);
    t.category = "c";
    wf.tasks.push_back(t);
  }
  return wf;
}

double category_fit_rho(const std::vector<history::Execution>& rows) {
  CategoryFit fit = fit_category("c", rows);
  return fit.at(Measure::runtime_s).chosen->run_correlation;
}

}  // namespace

TEST_CASE("run correlation: the share of the spread that a run's tasks have in common") {
  std::vector<double> r;
  std::vector<uint32_t> runs;
  grouped(40, 30, 1.0, 1.0, 3, r, runs);  // true rho = 0.5
  CHECK(run_correlation(r, runs) == Approx(0.5).margin(0.15));
  r.clear(), runs.clear();
  grouped(40, 30, 0.0, 1.0, 4, r, runs);  // no run effect
  CHECK(run_correlation(r, runs) < 0.05);
  r.clear(), runs.clear();
  grouped(40, 30, 3.0, 1.0, 5, r, runs);  // true rho = 0.9
  CHECK(run_correlation(r, runs) == Approx(0.9).margin(0.06));
}

TEST_CASE("run correlation counts every run once: a large run at the centre does not hide how runs differ") {
  // Nine runs whose effects spread evenly (variance 1.2), within-run sd 1: balanced, then with the
  // central run 40 times larger. A new run is one more draw of the effect either way.
  auto build = [](size_t central_size, std::vector<double>& r, std::vector<uint32_t>& run_of) {
    testing::Rng rng{11};
    for (int k = 0; k < 9; ++k) {
      double effect = (k - 4) * 0.4;
      size_t size = k == 4 ? central_size : 25;
      for (size_t i = 0; i < size; ++i) {
        r.push_back(effect + rng.normal());
        run_of.push_back(static_cast<uint32_t>(k));
      }
    }
  };
  std::vector<double> r1, r2;
  std::vector<uint32_t> g1, g2;
  build(25, r1, g1);
  build(1000, r2, g2);
  double balanced = run_correlation(r1, g1), lopsided = run_correlation(r2, g2);
  CHECK(balanced == Approx(1.2 / 2.2).margin(0.12));  // sigma_b^2 = the effects' variance, 1.2
  CHECK(lopsided == Approx(balanced).margin(0.1));
  CHECK(lopsided > 0.45);  // weighed by size (the one-way ANOVA estimator), it reads 0.42
}

TEST_CASE("run correlation is measured on normal scores: a monotone transform does not change it") {
  std::vector<double> r;
  std::vector<uint32_t> runs;
  grouped(30, 20, 1.0, 1.0, 6, r, runs);
  double rho = run_correlation(r, runs);
  // A long lower tail (what log CPU use looks like when some tasks idle at 0.01 core) would swamp
  // the run effect in the raw residuals; on normal scores it is the same correlation.
  std::vector<double> stretched;
  for (double v : r) stretched.push_back(v < 0 ? -std::exp(-3 * v) : v);
  CHECK(run_correlation(stretched, runs) == Approx(rho).margin(1e-12));
}

TEST_CASE("run correlation is 0 when it cannot be told: one run, or one sample per run") {
  std::vector<double> r = {0.1, -0.4, 0.3, 0.9};
  CHECK(run_correlation(r, std::vector<uint32_t>{0, 0, 0, 0}) == 0);
  CHECK(run_correlation(r, std::vector<uint32_t>{0, 1, 2, 3}) == 0);
  CHECK(run_correlation({}, {}) == 0);
}

TEST_CASE("a category whose runs differ learns its run correlation; the estimate carries it") {
  testing::Rng rng{11};
  std::vector<history::Execution> rows;
  for (int run = 0; run < 8; ++run) {
    double effect = 0.8 * rng.normal();
    for (int i = 0; i < 25; ++i) {
      auto e = testing::row("c", run * 100 + i, 10 * std::exp(effect + 0.2 * rng.normal()));
      e.run_id = "run" + std::to_string(run);
      rows.push_back(e);
    }
  }
  CategoryFit fit = fit_category("c", rows);
  REQUIRE(fit.at(Measure::runtime_s).chosen);
  CHECK(fit.at(Measure::runtime_s).chosen->run_correlation > 0.7);
  // The same values with the run labels shuffled away: no correlation left to find.
  for (size_t i = 0; i < rows.size(); ++i) rows[i].run_id = "run" + std::to_string(i % 8);
  CHECK(category_fit_rho(rows) < 0.2);
}

TEST_CASE("shared draws widen a sum over many tasks, and nothing changes without them") {
  const size_t n = 200;
  auto wf = wide(n);
  model::Dag dag(wf);
  Estimate e;
  e.runtime_s = Quantiles::point(10);
  e.cpus = {1, 2, 2.5, 3.5};
  e.mem_bytes = Quantiles::point(1);
  ForecastOptions o;
  o.samples = 300;
  std::vector<Estimate> independent(n, e);
  auto f0 = forecast(wf, dag, independent, o);
  Estimate c = e;
  c.cpus_from.run_correlation = 0.6;
  std::vector<Estimate> correlated(n, c);
  auto f1 = forecast(wf, dag, correlated, o);
  // Independent: the sum of 200 draws barely moves (p95/p50 ~ 1.07); shared: it moves with the run.
  CHECK(f0.peak_used_cpus.p95 / f0.peak_used_cpus.p50 < 1.1);
  CHECK(f1.peak_used_cpus.p95 / f1.peak_used_cpus.p50 > 1.3);
  // With rho = 1 every task of the category is drawn at the same level, so the sum is n x a draw.
  c.cpus_from.run_correlation = 1;
  auto f2 = forecast(wf, dag, std::vector<Estimate>(n, c), o);
  CHECK(f2.peak_used_cpus.p50 == Approx(n * e.cpus.p50).epsilon(0.1));
  CHECK(f2.peak_used_cpus.p95 == Approx(n * e.cpus.p95).epsilon(0.15));
  // A correlation on another measure leaves the draws of this one as they were.
  Estimate m = e;
  m.mem_from.run_correlation = 0.5;
  auto f3 = forecast(wf, dag, std::vector<Estimate>(n, m), o);
  CHECK(f3.peak_used_cpus.p50 == f0.peak_used_cpus.p50);
  CHECK(f3.peak_used_cpus.p95 == f0.peak_used_cpus.p95);
}

TEST_CASE("paired correlation: normal scores of paired residuals") {
  std::vector<double> a, b, c;
  testing::Rng rng{21};
  for (int i = 0; i < 400; ++i) {
    double x = rng.normal();
    a.push_back(x);
    b.push_back(-std::exp(x));  // any decreasing function: -1 on ranks
    c.push_back(rng.normal());
  }
  CHECK(*paired_correlation(a, b, 8) == Approx(-1).margin(1e-9));
  CHECK(std::abs(*paired_correlation(a, c, 8)) < 0.15);
  CHECK_FALSE(paired_correlation(std::span(a).first(5), std::span(b).first(5), 8));
  CHECK_FALSE(paired_correlation(a, std::vector<double>(a.size(), 1.0), 8));  // no spread
}

TEST_CASE("a category whose long tasks idle learns that cpus fall as runtime grows") {
  testing::Rng rng{5};
  std::vector<history::Execution> rows;
  for (int i = 0; i < 60; ++i) {
    double wait_s = std::exp(2 * rng.normal());  // time spent waiting: long and idle
    double work_s = 5 * std::exp(0.1 * rng.normal());
    auto e = testing::row("c", i, work_s + wait_s);
    e.run_id = "run" + std::to_string(i % 3);
    e.cpu_time_s = work_s;
    rows.push_back(e);
  }
  CategoryFit fit = fit_category("c", rows);
  CHECK(fit.at(Measure::cpus).with_runtime < -0.8);
  CHECK(fit.at(Measure::runtime_s).with_runtime == 1);
  CHECK(fit.at(Measure::cpus).residuals.empty());  // consumed
}

TEST_CASE("correlations go into the prediction section and come back from it") {
  auto wf = wide(3);
  model::Dag dag(wf);
  Estimate e;
  e.runtime_s = {10, 12, 14, 20};
  e.runtime_s.p10 = 7;
  e.runtime_s.p25 = 8.5;
  e.cpus = {1, 1.5, 2, 3};
  e.mem_bytes = Quantiles::point(1e6);
  e.runtime_from.run_correlation = 0.25;
  e.cpus_from.with_runtime = -0.875;
  std::vector<Estimate> est(3, e);
  est[2] = Estimate{};  // neither: nothing written, defaults read back
  ForecastOptions o;
  o.samples = 10;
  auto f = forecast(wf, dag, est, o);
  io::JsonDoc doc;
  io::Json section = prediction_to_json(f, wf, est, doc.GetAllocator());
  const io::Json& cpus0 = section["tasks"][0]["provenance"]["cpus"];
  CHECK(cpus0["with_runtime"].GetDouble() == -0.875);
  CHECK_FALSE(cpus0.HasMember("run_correlation"));
  CHECK_FALSE(section["tasks"][2]["provenance"]["runtime"].HasMember("run_correlation"));
  CHECK_FALSE(section["tasks"][2]["provenance"]["cpus"].HasMember("with_runtime"));
  auto back = estimates_from_json(section, wf);
  CHECK(back[0].runtime_from.run_correlation == 0.25);
  // Lower quantiles where they were given; a point (every level alike) and a distribution known
  // from p50 up write none, and read back the same.
  CHECK(section["tasks"][0]["runtime_s"]["p10"].GetDouble() == 7);
  CHECK(back[0].runtime_s.p25 == 8.5);
  CHECK_FALSE(section["tasks"][0]["mem_bytes"].HasMember("p10"));
  CHECK_FALSE(section["tasks"][0]["cpus"].HasMember("p10"));
  CHECK_FALSE(back[0].cpus.p10);
  CHECK(back[0].mem_bytes.at(0.05) == 1e6);
  CHECK(back[0].cpus_from.with_runtime == -0.875);
  CHECK(back[0].mem_from.with_runtime == 1);
  CHECK(back[2].runtime_from.run_correlation == 0);
}
