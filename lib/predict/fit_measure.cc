// fit_measure(): the cross-validated choice among the candidate models of model_measure.h.
#include <algorithm>
#include <cmath>
#include <map>
#include <set>

#include <Eigen/Dense>
#include <fmt/format.h>
#include <fmt/ranges.h>

#include "history/execution.h"
#include "predict/fit_correlation.h"
#include "predict/fit_robust.h"
#include "predict/model_measure.h"

namespace wf::predict {
namespace {

// The log-space data of one measure and what the folds need.
struct Data {
  Measure measure;
  std::span<const Observation> obs;
  std::vector<double> z;        // log(value + offset)
  std::vector<size_t> fold_of;  // fold index of each sample
  size_t folds = 0;
  double offset = 0;
  // The raw values of each usable feature, per sample (filled by usable_features()), so the folds
  // never look features up by name.
  std::map<std::string, std::vector<double>, std::less<>> columns;
};

Data make_data(Measure m, std::span<const Observation> obs, const PredictorOptions& o) {
  Data d{m, obs, {}, {}, 0, log_offset(m), {}};
  size_t n = obs.size();
  d.folds = n <= o.loo_up_to ? n : std::min(o.folds, n);
  for (size_t i = 0; i < n; ++i) {
    d.z.push_back(std::log(obs[i].value + d.offset));
    d.fold_of.push_back(i % d.folds);
  }
  return d;
}

// Each sample's absolute percentage error of its held-out centre.
std::vector<double> percentage_errors(const Data& d, const std::vector<double>& centre) {
  std::vector<double> ape;
  ape.reserve(centre.size());
  for (size_t i = 0; i < centre.size(); ++i) {
    double y = d.obs[i].value;
    double predicted = std::max(std::exp(centre[i]) - d.offset, 0.0);
    ape.push_back(std::abs(predicted - y) / std::max(y, d.offset));
  }
  return ape;
}

double held_out_error(const Data& d, const std::vector<double>& centre) { return median(percentage_errors(d, centre)); }

// A one-sided sign test at 5% on paired held-out errors: does `a` beat `b` on clearly more samples
// than it loses? A lower median error alone is not enough: with features that explain nothing, a
// regression still wins that comparison about half the time, by chance.
bool clearly_better(const std::vector<double>& a, const std::vector<double>& b) {
  double wins = 0, losses = 0;
  for (size_t i = 0; i < a.size(); ++i) {
    if (a[i] < b[i]) ++wins;
    if (a[i] > b[i]) ++losses;
  }
  return wins + losses > 0 && wins - losses >= 1.645 * std::sqrt(wins + losses);
}

// A candidate: no feature is the median; `linear` regresses the value itself on the raw features,
// otherwise its log on their slog1p.
struct Spec {
  std::vector<std::string> features;
  bool linear = false;
};

std::string model_name(const Spec& s) {
  if (s.features.empty()) return "median";
  return fmt::format("{}({})", s.linear ? "linear" : "loglinear", fmt::join(s.features, ","));
}

// The design matrix of a candidate over the rows in `rows`.
Eigen::MatrixXd design(const Data& d, const Spec& s, const std::vector<size_t>& rows) {
  Eigen::MatrixXd x(static_cast<Eigen::Index>(rows.size()), static_cast<Eigen::Index>(s.features.size()));
  for (size_t r = 0; r < rows.size(); ++r)
    for (size_t j = 0; j < s.features.size(); ++j) {
      double v = d.columns.find(s.features[j])->second[rows[r]];
      x(static_cast<Eigen::Index>(r), static_cast<Eigen::Index>(j)) = s.linear ? v : slog1p(v);
    }
  return x;
}

// Fits a candidate on `rows`.
MeasureModel fit_on(const Data& d, const Spec& s, const std::vector<size_t>& rows, const PredictorOptions& o) {
  MeasureModel m;
  m.features = s.features;
  m.linear = s.linear;
  if (s.features.empty()) {
    std::vector<double> z;
    for (size_t r : rows) z.push_back(d.z[r]);
    m.intercept = median(std::move(z));
    return m;
  }
  Eigen::VectorXd y(static_cast<Eigen::Index>(rows.size()));
  m.floor = s.linear ? d.obs[rows[0]].value : 0;
  for (size_t r = 0; r < rows.size(); ++r) {
    y(static_cast<Eigen::Index>(r)) = s.linear ? d.obs[rows[r]].value : d.z[rows[r]];
    if (s.linear) m.floor = std::min(m.floor, d.obs[rows[r]].value);
  }
  RobustFit fit = fit_huber(design(d, s, rows), y, HuberOptions{o.huber_k});
  m.intercept = fit.intercept;
  m.slopes.assign(fit.slopes.data(), fit.slopes.data() + fit.slopes.size());
  m.offset = d.offset;
  return m;
}

// Each sample's centre as predicted by the model fitted without its fold.
std::vector<double> held_out_centres(const Data& d, const Spec& s, const PredictorOptions& o) {
  std::vector<double> centre(d.z.size());
  for (size_t k = 0; k < d.folds; ++k) {
    std::vector<size_t> train, test;
    for (size_t i = 0; i < d.z.size(); ++i) (d.fold_of[i] == k ? test : train).push_back(i);
    MeasureModel m = fit_on(d, s, train, o);
    std::vector<double> x(s.features.size());
    for (size_t i : test) {
      for (size_t j = 0; j < x.size(); ++j) x[j] = d.columns.find(s.features[j])->second[i];
      centre[i] = m.centre_of(x);
    }
  }
  return centre;
}

// Numeric features every sample has, with at least three distinct values: input_bytes first, then
// cpus, then the rest by name; at most max_features.
std::vector<std::string> usable_features(Data& d, const PredictorOptions& o) {
  std::vector<std::string> names;
  for (const auto& [name, value] : *d.obs[0].features) names.push_back(name);
  auto rank = [](const std::string& s) { return s == history::kFeatureInputBytes ? 0 : s == history::kFeatureCpus ? 1 : 2; };
  std::stable_sort(names.begin(), names.end(), [&](const auto& a, const auto& b) { return rank(a) < rank(b); });
  std::vector<std::string> out;
  for (const auto& name : names) {
    std::set<double> distinct;
    std::vector<double> column;
    for (const auto& ob : d.obs) {
      auto v = find_feature(*ob.features, name);
      if (!v) break;
      column.push_back(*v);
      if (distinct.size() < 3) distinct.insert(*v);
    }
    if (column.size() < d.obs.size() || distinct.size() < 3 || out.size() >= o.max_features) continue;
    out.push_back(name);
    d.columns.emplace(name, std::move(column));
  }
  return out;
}

// Log-log on each feature, linear on each feature, then log-log on each pair: simplest first.
std::vector<Spec> regressions(const std::vector<std::string>& features) {
  std::vector<Spec> specs;
  for (const auto& f : features) specs.push_back({{f}, false});
  for (const auto& f : features) specs.push_back({{f}, true});
  for (size_t i = 0; i < features.size(); ++i)
    for (size_t j = i + 1; j < features.size(); ++j) specs.push_back({{features[i], features[j]}, false});
  return specs;
}

// Too few samples to hold any out reliably: the median, and a wide margin over the largest.
MeasureModel max_margin(const Data& d, const PredictorOptions& o) {
  std::vector<double> values;
  for (const auto& ob : d.obs) values.push_back(ob.value);
  double med = median(values), top = *std::max_element(values.begin(), values.end());
  MeasureModel m;
  m.name = "max+margin";
  m.samples = values.size();
  m.intercept = std::log(med + d.offset);
  auto above = [&](double factor) { return std::log(factor * top + d.offset) - m.intercept; };
  // Below the median: down to the smallest seen, no further.
  double low = std::log(*std::min_element(values.begin(), values.end()) + d.offset) - m.intercept;
  m.spread = Spread{low, low / 2, 0, above(1.25), above(1.5), above(2)};
  if (values.size() >= 2) m.error = held_out_error(d, held_out_centres(d, Spec{}, o));
  return m;
}

}  // namespace

MeasureFit fit_measure(Measure measure, std::span<const Observation> observations, const PredictorOptions& o) {
  MeasureFit fit;
  fit.measure = measure;
  std::vector<double> values;
  for (const auto& ob : observations) values.push_back(ob.value);
  fit.summary = history::summarize(values);
  if (observations.empty()) return fit;
  // The input sizes learned from, when every observation declared one.
  for (const auto& ob : observations) {
    auto x = find_feature(*ob.features, history::kFeatureInputBytes);
    if (!x || !(*x > 0)) {
      fit.input_range.reset();
      break;
    }
    fit.input_range = fit.input_range ? std::pair{std::min(fit.input_range->first, *x), std::max(fit.input_range->second, *x)}
                                      : std::pair{*x, *x};
  }
  Data d = make_data(measure, observations, o);
  if (observations.size() < o.min_stats_samples) {
    fit.chosen = max_margin(d, o);
    return fit;
  }
  std::vector<Spec> sets = {Spec{}};
  if (observations.size() >= o.min_model_samples)
    for (auto& s : regressions(usable_features(d, o))) sets.push_back(std::move(s));
  // Every candidate's held-out centres. The best regression by median error, ties to the earlier
  // (simpler) one, is chosen when it also clearly beats the median.
  size_t best = 0;
  std::vector<std::vector<double>> centres;
  for (size_t c = 0; c < sets.size(); ++c) {
    centres.push_back(held_out_centres(d, sets[c], o));
    fit.candidates.push_back({model_name(sets[c]), held_out_error(d, centres.back())});
    if (c > 0 && (best == 0 || fit.candidates[c].error < fit.candidates[best].error)) best = c;
  }
  if (best != 0 && !(fit.candidates[best].error < fit.candidates[0].error &&
                     clearly_better(percentage_errors(d, centres[best]), percentage_errors(d, centres[0]))))
    best = 0;
  auto finish = [&](size_t c) {
    std::vector<size_t> all(observations.size());
    for (size_t i = 0; i < all.size(); ++i) all[i] = i;
    MeasureModel m = fit_on(d, sets[c], all, o);
    for (const auto& f : m.features) {
      const auto& col = d.columns.find(f)->second;
      auto [lo, hi] = std::minmax_element(col.begin(), col.end());
      m.feature_range.emplace_back(*lo, *hi);
    }
    if (auto col = d.columns.find(history::kFeatureInputBytes);
        col != d.columns.end() && std::find(m.features.begin(), m.features.end(), col->first) != m.features.end()) {
      // The leverage of input_bytes as the regression sees it, for its interval beyond the rows.
      double sum = 0, ss = 0;
      for (double v : col->second) sum += m.linear ? v : slog1p(v);
      m.input_mean = sum / static_cast<double>(col->second.size());
      for (double v : col->second) ss += std::pow((m.linear ? v : slog1p(v)) - m.input_mean, 2);
      m.input_ss = ss;
    }
    m.source = sets[c].features.empty() ? Source::stats : Source::model;
    m.name = model_name(sets[c]);
    m.samples = observations.size();
    m.error = fit.candidates[c].error;
    std::vector<double> residuals;
    std::vector<uint32_t> runs;
    for (size_t i = 0; i < d.z.size(); ++i) {
      residuals.push_back(d.z[i] - centres[c][i]);
      runs.push_back(observations[i].run);
    }
    // Below min_model_samples an intraclass correlation is mostly noise (7 rows of 4 runs can
    // read 0.8): independent draws, as without history of runs.
    if (observations.size() >= o.min_model_samples) m.run_correlation = run_correlation(residuals, runs);
    m.spread = calibrated_spread(std::move(residuals), o.min_tail_scale);
    return m;
  };
  fit.chosen = finish(best);
  if (best != 0) fit.stats = finish(0);
  for (size_t i = 0; i < d.z.size(); ++i) fit.residuals.push_back(d.z[i] - centres[best][i]);
  return fit;
}

}  // namespace wf::predict
