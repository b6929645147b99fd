// The `prediction` section and its terminal rendering.
#include <algorithm>
#include <cmath>
#include <unordered_map>

#include <fmt/format.h>

#include "io/builder.h"
#include "model/units.h"
#include "predict/forecast.h"

namespace wf::predict {
namespace {

using io::Json;

double round3(double v) { return std::abs(v) >= 1e6 ? std::round(v) : std::round(v * 1000) / 1000; }

// Built value by value at exact sizes (io::Builder): on a million tasks, AddMember's 16-member
// first blocks held most of wf-predict's memory (5 of its 7 GB).
void quantiles_json(io::Builder& b, const Quantiles& q) {
  b.begin_object();
  // The lower quantiles where they were measured; a point (every level equal) reads back the same
  // without them, and a million tasks' hints and recorded values are points.
  bool point = q.p10 == q.p50 && q.p25 == q.p50 && q.p90 == q.p50 && q.p95 == q.p50 && q.p99 == q.p50;
  if (q.p10 && q.p25 && !point) {
    b.key("p10");
    b.number(round3(*q.p10));
    b.key("p25");
    b.number(round3(*q.p25));
  }
  b.key("p50");
  b.number(round3(q.p50));
  b.key("p90");
  b.number(round3(q.p90));
  b.key("p95");
  b.number(round3(q.p95));
  b.key("p99");
  b.number(round3(q.p99));
  b.end_object();
}

void band_json(io::Builder& b, const Band& band) {
  b.begin_object();
  b.key("p50");
  b.number(round3(band.p50));
  b.key("p95");
  b.number(round3(band.p95));
  b.end_object();
}

void provenance_json(io::Builder& b, const Provenance& p) {
  b.begin_object();
  b.key("source");
  b.string(to_string(p.source));
  b.key("model");
  b.string(p.model);
  b.key("samples");
  b.uint(p.samples);
  if (p.error) {
    b.key("error");
    b.number(round3(*p.error));
  }
  if (p.run_correlation > 0) {
    b.key("run_correlation");
    b.number(round3(p.run_correlation));
  }
  if (p.with_runtime < 1) {
    b.key("with_runtime");
    b.number(round3(p.with_runtime));
  }
  if (p.input_ratio) {
    b.key("input_ratio");
    b.number(round3(*p.input_ratio));
  }
  b.end_object();
}

// A capacity: its number, or "unlimited".
void capacity_json(io::Builder& b, const std::optional<double>& v) {
  if (v) b.number(*v);
  else b.string("unlimited");
}

void peaks_json(io::Builder& b, const Forecast& f) {
  b.begin_object();
  b.key("tasks");
  band_json(b, f.peak_tasks);
  b.key("reserved_cpus");
  band_json(b, f.peak_reserved_cpus);
  b.key("reserved_mem_bytes");
  band_json(b, f.peak_reserved_mem_bytes);
  b.key("used_cpus");
  band_json(b, f.peak_used_cpus);
  b.key("used_mem_bytes");
  band_json(b, f.peak_used_mem_bytes);
  b.key("io_bytes_per_s");
  band_json(b, f.peak_io_bytes_per_s);
  b.end_object();
}

void timeline_json(io::Builder& b, const Forecast& f) {
  b.begin_object();
  b.key("step_s");
  b.number(round3(f.step_s));
  b.key("note");
  b.string("each point is the maximum over its step; p50/p95 across samples");
  b.key("points");
  b.begin_array();
  for (const auto& p : f.timeline) {
    b.begin_object();
    b.key("t_s");
    b.number(round3(p.t_s));
    b.key("tasks");
    band_json(b, p.tasks);
    b.key("reserved_cpus");
    band_json(b, p.reserved_cpus);
    b.key("reserved_mem_bytes");
    band_json(b, p.reserved_mem_bytes);
    b.key("used_cpus");
    band_json(b, p.used_cpus);
    b.key("used_mem_bytes");
    band_json(b, p.used_mem_bytes);
    b.key("io_bytes_per_s");
    band_json(b, p.io_bytes_per_s);
    b.end_object();
  }
  b.end_array();
  b.end_object();
}

void task_json(io::Builder& b, const model::Task& task, const Estimate& e) {
  b.begin_object();
  b.key("id");
  b.string(task.id);
  b.key("category");
  b.string(task.category);
  b.key("runtime_s");
  quantiles_json(b, e.runtime_s);
  b.key("cpus");
  quantiles_json(b, e.cpus);
  b.key("mem_bytes");
  quantiles_json(b, e.mem_bytes);
  b.key("read_bytes");
  quantiles_json(b, e.read_bytes);
  b.key("write_bytes");
  quantiles_json(b, e.write_bytes);
  b.key("provenance");
  b.begin_object();
  b.key("runtime");
  provenance_json(b, e.runtime_from);
  b.key("cpus");
  provenance_json(b, e.cpus_from);
  b.key("mem");
  provenance_json(b, e.mem_from);
  b.key("io");
  provenance_json(b, e.io_from);
  b.end_object();
  b.end_object();
}

}  // namespace

Json prediction_to_json(const Forecast& f, const model::Workflow& wf, const std::vector<Estimate>& estimates, io::Alloc& a,
                        bool tasks) {
  return io::build(a, [&](io::Builder& b) {
    const auto& opt = f.options;
    b.begin_object();
    b.key("seed");
    b.uint(opt.seed);
    b.key("samples");
    b.uint(opt.samples);
    b.key("concurrency");
    b.uint(opt.concurrency);
    b.key("stagger_s");
    b.number(opt.stagger_s);
    b.key("capacity");
    b.begin_object();
    b.key("cpus");
    capacity_json(b, opt.capacity.cpus);
    b.key("mem_bytes");
    capacity_json(b, opt.capacity.mem_bytes);
    b.key("io_bytes_per_s");
    capacity_json(b, opt.capacity.io_bytes_per_s);
    if (const HostBackground& bg = opt.capacity.background; opt.capacity.cpus && bg.runnable > 0) {
      b.key("background_runnable");
      b.number(std::round(bg.runnable * 1000) / 1000);
      b.key("host_cpus");
      b.number(bg.host_cpus.value_or(*opt.capacity.cpus));
    }
    b.end_object();
    b.key("makespan_s");
    band_json(b, f.makespan_s);
    b.key("peaks");
    peaks_json(b, f);
    if (opt.capacity.io_bytes_per_s || opt.capacity.cpus) {
      b.key("contention_delay_s");
      band_json(b, f.slowdown_s);
    }
    b.key("timeline");
    timeline_json(b, f);
    b.key("tasks");
    b.begin_array();
    if (tasks)
      for (size_t i = 0; i < estimates.size(); ++i) task_json(b, wf.tasks[i], estimates[i]);
    b.end_array();
    b.end_object();
  });
}

io::StreamedList prediction_tasks(const model::Workflow& wf, const std::vector<Estimate>& estimates) {
  return {estimates.size(), [&wf, &estimates](size_t begin, size_t end, io::Builder& b) {
            for (size_t i = begin; i < end; ++i) task_json(b, wf.tasks[i], estimates[i]);
          }};
}

HostBackground background_from_json(const io::Json& prediction) {
  HostBackground bg;
  if (const Json* cap = io::get(prediction, "capacity")) {
    bg.runnable = std::max(0.0, io::get_number(*cap, "background_runnable").value_or(0));
    if (auto host = io::get_number(*cap, "host_cpus"); host && *host > 0) bg.host_cpus = host;
  }
  return bg;
}

std::vector<Estimate> estimates_from_json(const Json& prediction, const model::Workflow& wf) {
  std::unordered_map<std::string_view, const Json*> by_id;
  if (const Json* tasks = io::get(prediction, "tasks"); tasks && tasks->IsArray())
    for (const auto& t : tasks->GetArray())
      if (auto id = io::get_string(t, "id")) by_id[*id] = &t;
  // A document may have been edited by hand: a level that is not a number of at least 0 reads as
  // absent, and the levels are put in order (each upper one at least the one below, each lower one
  // at most the one above), as Quantiles::at and every reader of an estimate assume.
  auto level = [](const Json& m, const char* key) -> std::optional<double> {
    auto v = io::get_number(m, key);
    return v && *v >= 0 ? v : std::nullopt;
  };
  auto quantiles = [&level](const Json& t, const char* key, Quantiles& q) {
    const Json* m = io::get(t, key);
    if (!m || !m->IsObject()) return false;
    q.p50 = level(*m, "p50").value_or(0);
    q.p90 = std::max(level(*m, "p90").value_or(q.p50), q.p50);
    q.p95 = std::max(level(*m, "p95").value_or(q.p90), q.p90);
    q.p99 = std::max(level(*m, "p99").value_or(q.p95), q.p95);
    q.p25 = level(*m, "p25");
    if (q.p25) q.p25 = std::min(*q.p25, q.p50);
    q.p10 = level(*m, "p10");
    if (q.p10) q.p10 = std::min(*q.p10, q.p25.value_or(q.p50));
    return true;
  };
  std::vector<Estimate> out;
  out.reserve(wf.tasks.size());
  for (const auto& task : wf.tasks) {
    auto it = by_id.find(task.id);
    Estimate e = hint_estimate(task);
    if (it != by_id.end()) {
      const Json& t = *it->second;
      quantiles(t, "runtime_s", e.runtime_s);
      quantiles(t, "cpus", e.cpus);
      quantiles(t, "mem_bytes", e.mem_bytes);
      quantiles(t, "read_bytes", e.read_bytes);
      quantiles(t, "write_bytes", e.write_bytes);
      e.runtime_from = e.cpus_from = e.mem_from = e.io_from = {Source::model, "from the prediction section", 0, std::nullopt, 0, 1, std::nullopt};
      if (const Json* prov = io::get(t, "provenance")) {
        auto correlation = [&](const char* key, Provenance& p) {
          if (const Json* m = io::get(*prov, key)) {
            p.run_correlation = io::get_number(*m, "run_correlation").value_or(0);
            p.with_runtime = io::get_number(*m, "with_runtime").value_or(1);
          }
        };
        correlation("runtime", e.runtime_from);
        correlation("cpus", e.cpus_from);
        correlation("mem", e.mem_from);
        correlation("io", e.io_from);
      }
    }
    out.push_back(e);
  }
  return out;
}

namespace {

std::string chart_row(const std::vector<TimelinePoint>& tl, double top, double (*get)(const TimelinePoint&)) {
  static const char* bars[] = {" ", "▁", "▂", "▃", "▄", "▅", "▆", "▇", "█"};
  std::string out;
  for (const auto& p : tl) out += bars[top > 0 ? std::clamp(static_cast<int>(std::lround(8.0 * get(p) / top)), 0, 8) : 0];
  return out;
}

// The timeline squeezed to `width` columns (maximum per column).
std::vector<TimelinePoint> squeeze(const std::vector<TimelinePoint>& tl, size_t width) {
  if (tl.size() <= width) return tl;
  std::vector<TimelinePoint> out(width);
  for (size_t i = 0; i < tl.size(); ++i) {
    TimelinePoint& o = out[i * width / tl.size()];
    const TimelinePoint& p = tl[i];
    auto mx = [](Band& a, const Band& b) {
      a.p50 = std::max(a.p50, b.p50);
      a.p95 = std::max(a.p95, b.p95);
    };
    mx(o.tasks, p.tasks);
    mx(o.reserved_cpus, p.reserved_cpus);
    mx(o.reserved_mem_bytes, p.reserved_mem_bytes);
    mx(o.used_mem_bytes, p.used_mem_bytes);
    mx(o.io_bytes_per_s, p.io_bytes_per_s);
  }
  return out;
}

}  // namespace

std::string render_forecast_table(const Forecast& f, const model::Workflow& wf, const std::vector<Estimate>& estimates) {
  std::string out = fmt::format("forecast for {} ({} tasks, {} run{} at once, {} samples, seed {})\n",
                                wf.name.empty() ? "(unnamed)" : wf.name, wf.tasks.size(), f.options.concurrency,
                                f.options.concurrency == 1 ? "" : "s", f.options.samples, f.options.seed);
  if (const HostBackground& bg = f.options.capacity.background; f.options.capacity.cpus && bg.runnable > 0)
    out += fmt::format("  {:.3g} cpus of a host of {:.3g} CPUs, shared with {:.3g} other runnable threads\n",
                       *f.options.capacity.cpus, bg.host_cpus.value_or(*f.options.capacity.cpus), bg.runnable);
  auto row = [&out](std::string_view what, const std::string& p50, const std::string& p95) {
    out += fmt::format("  {:<24}{:>12}{:>12}\n", what, p50, p95);
  };
  row("", "p50", "p95");
  row("makespan", model::format_duration(f.makespan_s.p50), model::format_duration(f.makespan_s.p95));
  row("peak concurrent tasks", fmt::format("{:.0f}", f.peak_tasks.p50), fmt::format("{:.0f}", f.peak_tasks.p95));
  row("peak reserved cpus", fmt::format("{:.3g}", f.peak_reserved_cpus.p50), fmt::format("{:.3g}", f.peak_reserved_cpus.p95));
  row("peak reserved memory", model::format_bytes(f.peak_reserved_mem_bytes.p50), model::format_bytes(f.peak_reserved_mem_bytes.p95));
  row("peak used memory", model::format_bytes(f.peak_used_mem_bytes.p50), model::format_bytes(f.peak_used_mem_bytes.p95));
  row("peak I/O", model::format_bytes(f.peak_io_bytes_per_s.p50) + "/s", model::format_bytes(f.peak_io_bytes_per_s.p95) + "/s");
  if (f.options.capacity.io_bytes_per_s || f.options.capacity.cpus)
    row("time lost to contention", model::format_duration(f.slowdown_s.p50), model::format_duration(f.slowdown_s.p95));
  auto tl = squeeze(f.timeline, 60);
  out += fmt::format("\n  demand over time (p95; 0 .. {})\n", model::format_duration(f.makespan_s.p95));
  out += fmt::format("  {:<10}|{}| {:.3g}\n", "cpus", chart_row(tl, f.peak_reserved_cpus.p95, [](const TimelinePoint& p) { return p.reserved_cpus.p95; }),
                     f.peak_reserved_cpus.p95);
  out += fmt::format("  {:<10}|{}| {}\n", "memory", chart_row(tl, f.peak_reserved_mem_bytes.p95, [](const TimelinePoint& p) { return p.reserved_mem_bytes.p95; }),
                     model::format_bytes(f.peak_reserved_mem_bytes.p95));
  out += fmt::format("  {:<10}|{}| {:.0f}\n", "tasks", chart_row(tl, f.peak_tasks.p95, [](const TimelinePoint& p) { return p.tasks.p95; }), f.peak_tasks.p95);
  size_t by_source[5] = {0, 0, 0, 0, 0};
  for (const auto& e : estimates) ++by_source[static_cast<int>(e.runtime_from.source)];
  out += fmt::format("\n  runtime estimates from: {} model, {} history stats, {} hints, {} recorded, {} defaults\n", by_source[0],
                     by_source[1], by_source[2], by_source[3], by_source[4]);
  return out;
}

}  // namespace wf::predict
