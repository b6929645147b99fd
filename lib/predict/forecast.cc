#include "predict/forecast.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <random>
#include <string_view>

#include "predict/fit_correlation.h"
#include "predict/models.h"

namespace wf::predict {
namespace {

Provenance from(Source s, std::string model) { return {s, std::move(model), 0, std::nullopt, 0, 1, std::nullopt}; }

// p-th quantile (linear interpolation) of a sample; sorts a copy.
double quantile(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  double pos = p * static_cast<double>(v.size() - 1);
  size_t i = static_cast<size_t>(pos);
  if (i + 1 >= v.size()) return v.back();
  return v[i] + (pos - static_cast<double>(i)) * (v[i + 1] - v[i]);
}

Band band(const std::vector<double>& v) { return {quantile(v, 0.5), quantile(v, 0.95)}; }

// A SplitMix64 stream: small, fast, the same on every platform (std:: distributions are not).
struct Rng {
  uint64_t state;
  uint64_t next() {
    uint64_t z = (state += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
  }
  double uniform() { return (static_cast<double>(next() >> 11) + 0.5) / 9007199254740992.0; }
};

// Each task's category as a small label, and whether any estimate is correlated within a run.
struct Groups {
  std::vector<uint32_t> of;  // per task
  size_t count = 0;
  bool correlated = false;
};

Groups groups_of(const model::Workflow& wf, const std::vector<Estimate>& estimates) {
  Groups g;
  std::map<std::string_view, uint32_t> label;
  g.of.reserve(wf.tasks.size());
  for (const auto& t : wf.tasks) g.of.push_back(label.emplace(category_of(t), static_cast<uint32_t>(label.size())).first->second);
  g.count = label.size();
  for (const auto& e : estimates)
    for (const Provenance* p : {&e.runtime_from, &e.cpus_from, &e.mem_from, &e.io_from})
      g.correlated = g.correlated || p->run_correlation > 0;
  return g;
}

// The quantile levels a task's measures are drawn at, from the task's uniform `u` (Gaussian
// copulas: every level stays uniform, so every task keeps its quantiles):
//   - a measure correlated with the runtime by w = with_runtime < 1 gets its own normal
//     w * own + sqrt(1 - w^2) * fresh, where own = Phi^-1(u) is the runtime's; w = 1 is the same
//     level as the runtime (what a task gets where history says nothing);
//   - a run correlation rho mixes in the category's shared normal for that measure and simulated
//     run: Phi(sqrt(rho) * shared + sqrt(1 - rho) * own_m).
// Without either, every level is u itself, drawn exactly as it was before both existed.
struct Levels {
  double runtime, cpus, mem, io;
};

Levels levels(double u, const Estimate& e, const double* shared, Rng& fresh) {
  double own = 0;
  bool own_known = false;
  auto level = [&](const Provenance& p, size_t m) {
    double rho = shared ? p.run_correlation : 0;
    if (p.with_runtime >= 1 && rho <= 0) return u;
    if (!own_known) own = normal_quantile(u), own_known = true;
    double w = std::clamp(p.with_runtime, -1.0, 1.0);
    double mine = w >= 1 ? own : w * own + std::sqrt(1 - w * w) * normal_quantile(fresh.uniform());
    return normal_cdf(std::sqrt(rho) * (shared ? shared[m] : 0) + std::sqrt(1 - rho) * mine);
  };
  return {level(e.runtime_from, 0), level(e.cpus_from, 1), level(e.mem_from, 2), level(e.io_from, 3)};
}

// Copies of the workflow for concurrent runs: copy k's tasks are k*n .. k*n+n-1.
struct Expanded {
  model::Workflow wf;
  std::optional<model::Dag> dag;
};

Expanded expand(const model::Workflow& wf, size_t copies) {
  Expanded e;
  e.wf.tasks.reserve(wf.tasks.size() * copies);
  for (size_t k = 0; k < copies; ++k)
    for (const auto& t : wf.tasks) {
      model::Task c;
      c.id = std::to_string(k) + "/" + t.id;
      for (const auto& n : t.needs) c.needs.push_back(std::to_string(k) + "/" + n);
      c.priority = t.priority;
      e.wf.tasks.push_back(std::move(c));
    }
  e.dag.emplace(e.wf);
  return e;
}

}  // namespace

Estimate hint_estimate(const model::Task& t) {
  Estimate e;
  const auto& h = t.hints;
  if (h.duration_s) {
    e.runtime_s = {*h.duration_s, *h.duration_s * 1.5, *h.duration_s * 2, *h.duration_s * 3};
    e.runtime_from = from(Source::hints, "duration hint; spread assumed (p95 = 2x)");
  } else {
    e.runtime_s = {60, 300, 600, 1800};
    e.runtime_from = from(Source::fallback, "no history, no duration hint: 1 min median assumed");
  }
  double cpus = h.cpus.value_or(1);
  e.cpus = Quantiles::point(cpus);
  e.cpus_from = from(h.cpus ? Source::hints : Source::fallback, h.cpus ? "cpus hint" : "1 cpu assumed");
  if (h.mem_bytes) {
    double m = static_cast<double>(*h.mem_bytes);
    e.mem_bytes = {m * 0.5, m * 0.8, m, m};
    e.mem_from = from(Source::hints, "mem hint taken as the p95");
  } else {
    e.mem_bytes = {256.0 * (1 << 20), 512.0 * (1 << 20), 1024.0 * (1 << 20), 2048.0 * (1 << 20)};
    e.mem_from = from(Source::fallback, "no history, no mem hint: 1GiB p95 assumed");
  }
  e.read_bytes = e.write_bytes = Quantiles::point(0);
  e.io_from = from(Source::fallback, "no I/O known");
  return e;
}

std::optional<Estimate> recorded_estimate(const model::Task& t) {
  const auto& r = t.recorded;
  if (!r.runtime_s) return std::nullopt;
  Estimate e;
  e.runtime_s = Quantiles::point(*r.runtime_s);
  e.runtime_from = from(Source::recorded, "the task's recorded runtime");
  double cores = r.cores.value_or(1);
  double used = r.cpu_percent ? *r.cpu_percent / 100.0 : cores;
  e.cpus = Quantiles::point(r.cpu_percent ? std::max(used, 0.01) : cores);
  e.cpus_from = from(Source::recorded, r.cpu_percent ? "recorded average CPU" : "recorded cores");
  e.mem_bytes = Quantiles::point(static_cast<double>(r.mem_bytes.value_or(0)));
  e.mem_from = from(r.mem_bytes ? Source::recorded : Source::fallback, r.mem_bytes ? "recorded peak memory" : "not recorded");
  e.read_bytes = Quantiles::point(static_cast<double>(r.read_bytes.value_or(0)));
  e.write_bytes = Quantiles::point(static_cast<double>(r.write_bytes.value_or(0)));
  e.io_from = from(Source::recorded, "recorded I/O");
  return e;
}

Forecast forecast(const model::Workflow& wf, const model::Dag& dag, const std::vector<Estimate>& estimates,
                  const ForecastOptions& options) {
  Forecast f;
  f.options = options;
  const size_t n = wf.tasks.size();
  const size_t copies = std::max<size_t>(1, options.concurrency);
  Expanded expanded;
  const model::Dag* run_dag = &dag;
  if (copies > 1) {
    expanded = expand(wf, copies);
    run_dag = &*expanded.dag;
  }
  const size_t samples = std::max<size_t>(1, options.samples);
  std::vector<SimTask> tasks(n * copies);
  std::vector<double> makespan(samples), slowdown(samples);
  std::vector<DemandPoint> sample_peaks(samples);
  // Per task and sample, one uniform (levels() above); per category, measure and copy, one shared
  // normal. Sampling once means the median run (u = 0.5).
  const Groups groups = groups_of(wf, estimates);
  const bool share = groups.correlated && samples > 1;
  std::vector<double> shared(share ? groups.count * 4 : 0);  // per category, one per measure
  auto draw = [&](Rng& rng, Rng& shared_rng, Rng& fresh_rng) {
    for (size_t k = 0; k < copies; ++k) {
      for (double& z : shared) z = normal_quantile(shared_rng.uniform());
      for (size_t i = 0; i < n; ++i) {
        const Estimate& e = estimates[i];
        double u = samples == 1 ? 0.5 : rng.uniform();
        Levels l = samples == 1 ? Levels{u, u, u, u} : levels(u, e, share ? &shared[4 * groups.of[i]] : nullptr, fresh_rng);
        SimTask& st = tasks[k * n + i];
        st.runtime_s = std::max(0.0, e.runtime_s.at(l.runtime));
        st.io_bytes = std::max(0.0, e.read_bytes.at(l.io) + e.write_bytes.at(l.io));
        st.used_cpus = e.cpus.at(l.cpus);
        st.used_mem_bytes = e.mem_bytes.at(l.mem);
        st.reserved = {schedule::cpu_reservation(e.cpus.p95), e.mem_bytes.p95};
        st.expected_s = e.runtime_s.p50;
        st.priority = wf.tasks[i].priority;
        st.release_s = static_cast<double>(k) * options.stagger_s;
      }
    }
  };
  // Pass 1 simulates every sample and keeps its schedule; the timeline's instants depend on the
  // longest makespan, known only then. Pass 2 replays the same draws (same seed) into profiles.
  std::vector<std::vector<float>> times(samples);
  // Three streams: the tasks' uniforms, the shared normals, the measures' fresh normals, so that
  // what independent, same-level estimates draw never depends on the other two.
  const uint64_t shared_seed = options.seed ^ 0x6a09e667f3bcc909ull, fresh_seed = options.seed ^ 0xbb67ae8584caa73bull;
  Rng rng{options.seed}, shared_rng{shared_seed}, fresh_rng{fresh_seed};
  for (size_t s = 0; s < samples; ++s) {
    draw(rng, shared_rng, fresh_rng);
    SimResult r = simulate(*run_dag, tasks, options.capacity);
    makespan[s] = r.makespan_s;
    slowdown[s] = r.slowdown_s;
    times[s].resize(tasks.size() * 2);
    for (size_t i = 0; i < tasks.size(); ++i) {
      times[s][2 * i] = static_cast<float>(r.start[i]);
      times[s][2 * i + 1] = static_cast<float>(r.end[i]);
    }
  }
  double horizon = *std::max_element(makespan.begin(), makespan.end());
  size_t points = std::max<size_t>(2, options.timeline_points);
  f.step_s = horizon > 0 ? horizon / static_cast<double>(points) : 0;
  std::vector<std::vector<DemandPoint>> grid(samples, std::vector<DemandPoint>(points));
  rng = Rng{options.seed};
  shared_rng = Rng{shared_seed};
  fresh_rng = Rng{fresh_seed};
  SimResult replay;
  for (size_t s = 0; s < samples; ++s) {
    draw(rng, shared_rng, fresh_rng);
    replay.start.resize(tasks.size());
    replay.end.resize(tasks.size());
    for (size_t i = 0; i < tasks.size(); ++i) {
      replay.start[i] = times[s][2 * i];
      replay.end[i] = times[s][2 * i + 1];
    }
    std::vector<DemandPoint> prof = demand_profile(tasks, replay);
    sample_peaks[s] = peaks(prof);
    if (f.step_s <= 0) continue;
    // Each instant of the grid takes the maximum over its step, so peaks survive.
    for (size_t i = 0; i < prof.size(); ++i) {
      double from = prof[i].t_s, to = i + 1 < prof.size() ? prof[i + 1].t_s : from;
      size_t c0 = std::min(points - 1, static_cast<size_t>(from / f.step_s));
      size_t c1 = std::min(points - 1, static_cast<size_t>(std::max(from, to - 1e-9) / f.step_s));
      for (size_t c = c0; c <= c1; ++c) {
        DemandPoint& g = grid[s][c];
        const DemandPoint& p = prof[i];
        g.tasks = std::max(g.tasks, p.tasks);
        g.reserved_cpus = std::max(g.reserved_cpus, p.reserved_cpus);
        g.reserved_mem_bytes = std::max(g.reserved_mem_bytes, p.reserved_mem_bytes);
        g.used_cpus = std::max(g.used_cpus, p.used_cpus);
        g.used_mem_bytes = std::max(g.used_mem_bytes, p.used_mem_bytes);
        g.io_bytes_per_s = std::max(g.io_bytes_per_s, p.io_bytes_per_s);
      }
    }
  }
  auto measure = [&](auto get) {
    std::vector<double> v(samples);
    for (size_t s = 0; s < samples; ++s) v[s] = get(sample_peaks[s]);
    return band(v);
  };
  f.makespan_s = band(makespan);
  f.slowdown_s = band(slowdown);
  f.peak_tasks = measure([](const DemandPoint& p) { return p.tasks; });
  f.peak_reserved_cpus = measure([](const DemandPoint& p) { return p.reserved_cpus; });
  f.peak_reserved_mem_bytes = measure([](const DemandPoint& p) { return p.reserved_mem_bytes; });
  f.peak_used_cpus = measure([](const DemandPoint& p) { return p.used_cpus; });
  f.peak_used_mem_bytes = measure([](const DemandPoint& p) { return p.used_mem_bytes; });
  f.peak_io_bytes_per_s = measure([](const DemandPoint& p) { return p.io_bytes_per_s; });

  if (f.step_s <= 0) return f;
  f.timeline.resize(points);
  std::vector<double> v(samples);
  for (size_t c = 0; c < points; ++c) {
    TimelinePoint& tp = f.timeline[c];
    tp.t_s = static_cast<double>(c) * f.step_s;
    auto across = [&](auto get) {
      for (size_t s = 0; s < samples; ++s) v[s] = get(grid[s][c]);
      return band(v);
    };
    tp.tasks = across([](const DemandPoint& p) { return p.tasks; });
    tp.reserved_cpus = across([](const DemandPoint& p) { return p.reserved_cpus; });
    tp.reserved_mem_bytes = across([](const DemandPoint& p) { return p.reserved_mem_bytes; });
    tp.used_cpus = across([](const DemandPoint& p) { return p.used_cpus; });
    tp.used_mem_bytes = across([](const DemandPoint& p) { return p.used_mem_bytes; });
    tp.io_bytes_per_s = across([](const DemandPoint& p) { return p.io_bytes_per_s; });
  }
  return f;
}

}  // namespace wf::predict
