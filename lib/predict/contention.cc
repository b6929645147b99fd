#include "predict/contention.h"

#include <algorithm>
#include <cmath>
#include <map>

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

double median(std::vector<double> v) {
  if (v.empty()) return 0;
  size_t mid = v.size() / 2;
  std::nth_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(mid), v.end());
  double hi = v[mid];
  if (v.size() % 2 == 1) return hi;
  return (*std::max_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(mid)) + hi) / 2;
}

// At most this many rows of a run are weighed against the rest (evenly spread): the overlap sum
// is quadratic in a run's width, and a median needs no more.
constexpr size_t kMaxBackgroundRows = 1000;

}  // namespace

std::optional<double> oversubscription(const history::Execution& e) {
  if (!e.host_runnable || !e.host_cpus || !(*e.host_cpus > 0) || !std::isfinite(*e.host_runnable)) return std::nullopt;
  return *e.host_runnable / *e.host_cpus;
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

std::optional<Background> recent_background(std::span<const history::Execution> rows, const std::string& host,
                                            size_t runs) {
  struct Run {
    double last_end = -INFINITY;
    bool loaded = false;
    std::vector<history::Execution> rows;
  };
  std::map<std::string, Run> by_run;
  for (const auto& e : rows) {
    if (!host.empty() && e.host != host) continue;
    Run& r = by_run[e.run_id];
    r.rows.push_back(e);
    if (e.end_s) r.last_end = std::max(r.last_end, *e.end_s);
    r.loaded = r.loaded || oversubscription(e).has_value();
  }
  std::vector<const Run*> recent;
  for (const auto& [id, r] : by_run)
    if (r.loaded) recent.push_back(&r);
  // Latest first; ties by run id (the map's order, kept by the stable sort).
  std::stable_sort(recent.begin(), recent.end(), [](const Run* a, const Run* b) { return a->last_end > b->last_end; });
  if (recent.size() > runs) recent.resize(runs);
  std::vector<double> all, cpus;
  for (const Run* r : recent) {
    auto b = run_background(r->rows);
    all.insert(all.end(), b.begin(), b.end());
    for (const auto& e : r->rows)
      if (oversubscription(e)) cpus.push_back(*e.host_cpus);
  }
  if (all.empty()) return std::nullopt;
  return Background{median(all), median(cpus), all.size(), recent.size()};
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
  auto load = [&](double s) {
    double n = s * std::max(0.0, background);
    for (size_t i = 0; i < used.size(); ++i) {
      if (used[i] <= 0) continue;
      double d = std::max(threads[i], 1e-12);
      double f = std::clamp(used[i] / d, 0.0, 1.0);
      n += d * f * s / (s * (1 - f) + f);
    }
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
