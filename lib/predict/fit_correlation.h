#pragma once
// How the draws of a category's tasks hang together: within a run (the intraclass correlation of a
// model's held-out residuals grouped by run), and across one task's measures.
//
// Why: a run has its own conditions (the machine, its load, the data set's character), so its
// tasks of one category are slower, hungrier or busier *together*. A Monte Carlo that draws every
// task independently averages that away, and the p95 of a sum over hundreds of tasks (a workflow's
// peak cores or memory) comes out barely above its p50 — far too sure. The per-task quantiles
// already hold both parts of the spread; this number says how it splits, so the simulator can share
// the run's part among the category's tasks (forecast.h) without changing any task's own quantiles.
//
// The estimator works on the residuals' normal scores (the copula's scale, the one the simulator
// shares on), with every run counted once: the run effects' variance is the variance of the runs'
// means less the within-run noise in them, sigma_b^2 = var(mean_i) - mean(MSW / n_i), and
// rho = sigma_b^2 / (sigma_b^2 + MSW), clamped to [0, 1]. What the simulator needs is the spread
// of a *new run's* shift, of which each past run is one draw; the one-way ANOVA estimator,
// (MSB - MSW) / n0, weighs runs by their size, so a history of a few large runs near the centre
// and small ones off it read as runs that hardly differ. It needs at least two runs and a run
// with two or more samples; otherwise the split is unknown and 0 is returned (independent draws,
// as without it).
// fit_measure asks for it from PredictorOptions::min_model_samples observations on.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>

namespace wf::predict {

// `residuals[i]` came from run `run_of[i]` (any labels; equal labels are one run).
double run_correlation(std::span<const double> residuals, std::span<const uint32_t> run_of);

// How two measures of one task move together: the correlation of the normal scores of paired
// held-out residuals (the parameter of a Gaussian copula; ranks only, so robust to outliers and to
// the measures' shapes). Runtime and CPU use, for one, are mostly strongly *negative* on real
// traces (a task that waits long on I/O is long and idle), so a task is not drawn at one level for
// all its measures. nullopt below `min_pairs` pairs or when a side has no spread.
std::optional<double> paired_correlation(std::span<const double> a, std::span<const double> b, size_t min_pairs);

// The standard normal's quantile at u in (0, 1) (Acklam's approximation, relative error below
// 1.2e-9), and its distribution function.
double normal_quantile(double u);
double normal_cdf(double z);

}  // namespace wf::predict
