#include "predict/contention.h"

#include <algorithm>
#include <cmath>
#include <map>

#include "predict/fit_quantiles.h"

namespace wf::predict {
namespace {

std::optional<double> recorded_runtime(const history::Execution& e) {
  if (e.runtime_s) return e.runtime_s;
  if (e.start_s && e.end_s) return *e.end_s - *e.start_s;
  return std::nullopt;
}

// The threads a task computes on, at least: one, its reservation, and its measured use times λ
// to the nearest whole thread (on an oversubscribed host each runnable thread gets 1/λ of a CPU,
// so d busy threads show as d/λ cores: a task running more threads than it reserved is seen as
// such, while a single thread whose λ was sampled a little low is not taken for 1.2 threads).
double threads_of(double used, std::optional<double> reserved, double lambda) {
  return std::max({1.0, reserved.value_or(0.0), std::round(used * std::max(1.0, lambda))});
}

// At most this many rows of a run are weighed against the rest (evenly spread): the overlap sum
// is quadratic in a run's width, and a median needs no more.
constexpr size_t kMaxBackgroundRows = 1000;

}  // namespace

std::optional<double> oversubscription(const history::Execution& e) {
  if (!e.host_runnable || !e.host_cpus || !(*e.host_cpus > 0) || !std::isfinite(*e.host_runnable)) return std::nullopt;
  return *e.host_runnable / *e.host_cpus;
}

double pressured_runnable(double runnable, double cpus, double share) {
  if (!(cpus > 0) || !(runnable > cpus)) return runnable;
  share = std::clamp(std::isfinite(share) ? share : 1.0, 0.0, 1.0);
  return cpus * (1 + share * (runnable / cpus - 1));
}

double idle_runtime(double runtime_s, double cpu_time_s, std::optional<double> reserved_cpus, double lambda) {
  if (!(lambda > 1) || !(runtime_s > 0) || !(cpu_time_s > 0) || !std::isfinite(lambda)) return runtime_s;
  double d = threads_of(cpu_time_s / runtime_s, reserved_cpus, lambda);
  double computing = cpu_time_s / d;  // at idle speed
  return std::max(computing, runtime_s - computing * (lambda - 1));
}

std::optional<double> uncontended_runtime(const history::Execution& e) {
  auto runtime = recorded_runtime(e);
  if (!runtime) return std::nullopt;
  auto lambda = oversubscription(e);
  if (!lambda || !e.cpu_time_s) return runtime;
  return idle_runtime(*runtime, *e.cpu_time_s, e.cpus_reserved, *lambda);
}

std::vector<double> run_background(std::span<const history::Execution> run) {
  struct Span {
    double start, end, used, threads;
  };
  std::vector<Span> spans;
  std::vector<size_t> loaded;  // indexes into spans of the rows with a host load
  std::vector<const history::Execution*> loaded_rows;
  for (const auto& e : run) {
    if (!e.start_s || !e.end_s || *e.end_s <= *e.start_s) continue;
    double r = *e.end_s - *e.start_s;
    double used = e.cpu_time_s ? *e.cpu_time_s / r : 0;
    auto lambda = oversubscription(e);
    if (lambda) loaded.push_back(spans.size()), loaded_rows.push_back(&e);
    spans.push_back({*e.start_s, *e.end_s, used, threads_of(used, e.cpus_reserved, lambda.value_or(1))});
  }
  std::vector<double> out;
  size_t step = std::max<size_t>(1, (loaded.size() + kMaxBackgroundRows - 1) / kMaxBackgroundRows);
  for (size_t k = 0; k < loaded.size(); k += step) {
    const Span& i = spans[loaded[k]];
    double lambda = std::max(1.0, *oversubscription(*loaded_rows[k]));
    double own = 0;
    for (const Span& j : spans) {
      double overlap = std::min(i.end, j.end) - std::max(i.start, j.start);
      if (overlap <= 0) continue;
      // A thread waiting for a CPU is runnable too: on an oversubscribed host a task's runnable
      // threads are its use times λ, up to its threads.
      own += overlap / (i.end - i.start) * std::min(j.threads, j.used * lambda);
    }
    out.push_back(std::max(0.0, *loaded_rows[k]->host_runnable - own));
  }
  return out;
}

std::optional<Background> background_of(std::span<const history::Execution> rows) {
  std::map<std::string, std::vector<history::Execution>, std::less<>> by_run;  // run_background wants them together
  for (const auto& e : rows) by_run[e.run_id].push_back(e);
  std::vector<double> all, cpus;
  size_t runs = 0;
  for (const auto& [id, run] : by_run) {
    auto b = run_background(run);
    runs += !b.empty();
    all.insert(all.end(), b.begin(), b.end());
    for (const auto& e : run)
      if (oversubscription(e)) cpus.push_back(*e.host_cpus);
  }
  if (all.empty()) return std::nullopt;
  size_t n = all.size();
  return Background{median(std::move(all)), median(std::move(cpus)), n, runs};
}

double cpu_rate(double s, double used, double threads) {
  if (s >= 1 || used <= 0) return 1;
  double f = std::clamp(used / std::max(threads, 1e-12), 0.0, 1.0);
  return s / (s * (1 - f) + f);
}

double cpu_share(double background, double cpus, std::span<const double> used, std::span<const double> threads) {
  if (!(cpus > 0)) return 1;
  // Runnable threads with every task at idle speed; enough CPUs for them: no contention.
  double idle = std::max(0.0, background);
  for (double u : used) idle += std::max(0.0, u);
  if (idle <= cpus) return 1;
  // s * N(s) grows with s from 0 to N(1) > cpus: one root, found by bisection.
  // A task's runnable threads at s are its idle use over its rate: s times them, its use × rate.
  auto load = [&](double s) {
    double n = s * std::max(0.0, background);
    for (size_t i = 0; i < used.size(); ++i)
      if (used[i] > 0) n += std::min(used[i], threads[i]) * cpu_rate(s, used[i], threads[i]);
    return n;
  };
  double lo = 0, hi = 1;
  for (int k = 0; k < 48; ++k) {
    double mid = (lo + hi) / 2;
    (load(mid) < cpus ? lo : hi) = mid;
  }
  return std::max(hi, 1e-9);
}

}  // namespace wf::predict
