#include "predict/models.h"

#include <algorithm>

#include "history/store.h"

namespace wf::predict {
namespace {

Quantiles from_hint(Measure m, double hint) {
  // A declared duration is a guess: spread it. Declared cpus and memory are what the task asked
  // for and will be given: take them as they are.
  if (m == Measure::runtime_s) return {hint, 1.5 * hint, 2 * hint, 3 * hint};
  return Quantiles::point(hint);
}

std::optional<double> hint_of(const model::Task& task, Measure m) {
  switch (m) {
    case Measure::runtime_s: return task.hints.duration_s;
    case Measure::cpus: return task.hints.cpus;
    case Measure::mem_bytes:
      return task.hints.mem_bytes ? std::optional<double>(static_cast<double>(*task.hints.mem_bytes)) : std::nullopt;
    case Measure::read_bytes:
    case Measure::write_bytes: return std::nullopt;
  }
  return std::nullopt;
}

Quantiles fallback(Measure m) {
  switch (m) {
    case Measure::runtime_s: return {kDefaultRuntimeS, 10 * kDefaultRuntimeS, 30 * kDefaultRuntimeS, 60 * kDefaultRuntimeS};
    case Measure::cpus: return Quantiles::point(kDefaultCpus);
    case Measure::mem_bytes: return Quantiles::point(kDefaultMemBytes);
    case Measure::read_bytes:
    case Measure::write_bytes: return Quantiles::point(0);
  }
  return Quantiles::point(0);
}

Quantiles estimate_measure(const MeasureFit& fit, const model::Task& task, const Features& x, Provenance& from) {
  if (auto q = fit.evaluate(x, from)) return *q;
  Quantiles q;
  if (auto hint = hint_of(task, fit.measure)) {
    q = from_hint(fit.measure, *hint);
    from = Provenance{Source::hints, "hint", 0, std::nullopt, 0, 1, std::nullopt};
  } else {
    q = fallback(fit.measure);
    from = Provenance{Source::fallback, "default", 0, std::nullopt, 0, 1, std::nullopt};
  }
  if (fit.lower_bound) {
    q.p95 = std::max(q.p95, *fit.lower_bound);
    q.p99 = std::max(q.p99, q.p95);
  }
  return q;
}

// One provenance for reads and writes: the less informed of the two, both models named.
Provenance io_provenance(const Provenance& read, const Provenance& write) {
  Provenance p = static_cast<int>(read.source) >= static_cast<int>(write.source) ? read : write;
  p.model = fmt::format("read {}; write {}", read.model, write.model);
  p.samples = std::min(read.samples, write.samples);
  if (read.error && write.error) p.error = std::max(*read.error, *write.error);
  p.run_correlation = std::max(read.run_correlation, write.run_correlation);
  p.with_runtime = (read.with_runtime + write.with_runtime) / 2;
  return p;
}

}  // namespace

Predictor::Predictor(Loader load, PredictorOptions options) : load_(std::move(load)), options_(options) {}

Predictor::Predictor(history::Store& store, PredictorOptions options)
    : Predictor(
          [&store](std::string_view category) {
            history::QueryOptions q;
            q.only_succeeded = false;
            return store.samples(category, q);
          },
          options) {}

Predictor Predictor::from_executions(std::span<const history::Execution> rows, PredictorOptions options) {
  auto grouped = std::make_shared<std::map<std::string, std::vector<history::Execution>, std::less<>>>();
  for (const auto& e : rows) (*grouped)[e.category].push_back(e);
  return Predictor(
      [grouped](std::string_view category) {
        auto it = grouped->find(category);
        return it == grouped->end() ? std::vector<history::Execution>{} : it->second;
      },
      options);
}

const CategoryFit& Predictor::fit(std::string_view category) {
  auto it = cache_.find(category);
  if (it == cache_.end()) {
    std::vector<history::Execution> rows = load_(category);
    auto fitted = std::make_unique<const CategoryFit>(fit_category(std::string(category), rows, options_));
    it = cache_.emplace(std::string(category), std::move(fitted)).first;
  }
  return *it->second;
}

const std::string& category_of(const model::Task& task) { return task.category.empty() ? task.id : task.category; }

Estimate Predictor::estimate(const model::Workflow& wf, const model::Task& task) {
  const CategoryFit& f = fit(category_of(task));
  Features x = task_features(wf, task);
  Estimate e;
  Provenance read_from, write_from;
  e.runtime_s = estimate_measure(f.at(Measure::runtime_s), task, x, e.runtime_from);
  e.cpus = estimate_measure(f.at(Measure::cpus), task, x, e.cpus_from);
  e.mem_bytes = estimate_measure(f.at(Measure::mem_bytes), task, x, e.mem_from);
  e.read_bytes = estimate_measure(f.at(Measure::read_bytes), task, x, read_from);
  e.write_bytes = estimate_measure(f.at(Measure::write_bytes), task, x, write_from);
  e.io_from = io_provenance(read_from, write_from);
  return e;
}

std::vector<Estimate> estimate_all(Predictor& predictor, const model::Workflow& wf) {
  std::vector<Estimate> out;
  out.reserve(wf.tasks.size());
  for (const auto& task : wf.tasks) out.push_back(predictor.estimate(wf, task));
  return out;
}

}  // namespace wf::predict
