// The `prediction` section and its terminal rendering.
#include <algorithm>
#include <cmath>
#include <unordered_map>

#include <fmt/format.h>

#include "model/units.h"
#include "predict/forecast.h"

namespace wf::predict {
namespace {

using io::Json;

double round3(double v) { return std::abs(v) >= 1e6 ? std::round(v) : std::round(v * 1000) / 1000; }

Json quantiles_json(const Quantiles& q, io::Alloc& a) {
  Json o(rapidjson::kObjectType);
  o.AddMember("p50", io::number(round3(q.p50)), a);
  o.AddMember("p90", io::number(round3(q.p90)), a);
  o.AddMember("p95", io::number(round3(q.p95)), a);
  o.AddMember("p99", io::number(round3(q.p99)), a);
  return o;
}

Json band_json(const Band& b, io::Alloc& a) {
  Json o(rapidjson::kObjectType);
  o.AddMember("p50", io::number(round3(b.p50)), a);
  o.AddMember("p95", io::number(round3(b.p95)), a);
  return o;
}

Json provenance_json(const Provenance& p, io::Alloc& a) {
  Json o(rapidjson::kObjectType);
  o.AddMember("source", io::str(to_string(p.source), a), a);
  o.AddMember("model", io::str(p.model, a), a);
  o.AddMember("samples", static_cast<uint64_t>(p.samples), a);
  if (p.error) o.AddMember("error", io::number(round3(*p.error)), a);
  return o;
}

}  // namespace

Json prediction_to_json(const Forecast& f, const model::Workflow& wf, const std::vector<Estimate>& estimates, io::Alloc& a) {
  Json o(rapidjson::kObjectType);
  const auto& opt = f.options;
  o.AddMember("seed", opt.seed, a);
  o.AddMember("samples", static_cast<uint64_t>(opt.samples), a);
  o.AddMember("concurrency", static_cast<uint64_t>(opt.concurrency), a);
  o.AddMember("stagger_s", io::number(opt.stagger_s), a);
  Json cap(rapidjson::kObjectType);
  if (opt.capacity.cpus) cap.AddMember("cpus", io::number(*opt.capacity.cpus), a);
  else cap.AddMember("cpus", "unlimited", a);
  if (opt.capacity.mem_bytes) cap.AddMember("mem_bytes", io::number(*opt.capacity.mem_bytes), a);
  else cap.AddMember("mem_bytes", "unlimited", a);
  if (opt.capacity.io_bytes_per_s) cap.AddMember("io_bytes_per_s", io::number(*opt.capacity.io_bytes_per_s), a);
  else cap.AddMember("io_bytes_per_s", "unlimited", a);
  o.AddMember("capacity", cap, a);

  o.AddMember("makespan_s", band_json(f.makespan_s, a), a);
  Json peaks(rapidjson::kObjectType);
  peaks.AddMember("tasks", band_json(f.peak_tasks, a), a);
  peaks.AddMember("reserved_cpus", band_json(f.peak_reserved_cpus, a), a);
  peaks.AddMember("reserved_mem_bytes", band_json(f.peak_reserved_mem_bytes, a), a);
  peaks.AddMember("used_cpus", band_json(f.peak_used_cpus, a), a);
  peaks.AddMember("used_mem_bytes", band_json(f.peak_used_mem_bytes, a), a);
  peaks.AddMember("io_bytes_per_s", band_json(f.peak_io_bytes_per_s, a), a);
  o.AddMember("peaks", peaks, a);
  if (opt.capacity.io_bytes_per_s) o.AddMember("contention_delay_s", band_json(f.slowdown_s, a), a);

  Json timeline(rapidjson::kObjectType), points(rapidjson::kArrayType);
  timeline.AddMember("step_s", io::number(round3(f.step_s)), a);
  timeline.AddMember("note", "each point is the maximum over its step; p50/p95 across samples", a);
  for (const auto& p : f.timeline) {
    Json pt(rapidjson::kObjectType);
    pt.AddMember("t_s", io::number(round3(p.t_s)), a);
    pt.AddMember("tasks", band_json(p.tasks, a), a);
    pt.AddMember("reserved_cpus", band_json(p.reserved_cpus, a), a);
    pt.AddMember("reserved_mem_bytes", band_json(p.reserved_mem_bytes, a), a);
    pt.AddMember("used_cpus", band_json(p.used_cpus, a), a);
    pt.AddMember("used_mem_bytes", band_json(p.used_mem_bytes, a), a);
    pt.AddMember("io_bytes_per_s", band_json(p.io_bytes_per_s, a), a);
    points.PushBack(pt, a);
  }
  timeline.AddMember("points", points, a);
  o.AddMember("timeline", timeline, a);

  Json tasks(rapidjson::kArrayType);
  tasks.Reserve(static_cast<rapidjson::SizeType>(estimates.size()), a);
  for (size_t i = 0; i < estimates.size(); ++i) {
    const Estimate& e = estimates[i];
    Json t(rapidjson::kObjectType);
    t.AddMember("id", io::str(wf.tasks[i].id, a), a);
    t.AddMember("category", io::str(wf.tasks[i].category, a), a);
    t.AddMember("runtime_s", quantiles_json(e.runtime_s, a), a);
    t.AddMember("cpus", quantiles_json(e.cpus, a), a);
    t.AddMember("mem_bytes", quantiles_json(e.mem_bytes, a), a);
    t.AddMember("read_bytes", quantiles_json(e.read_bytes, a), a);
    t.AddMember("write_bytes", quantiles_json(e.write_bytes, a), a);
    Json prov(rapidjson::kObjectType);
    prov.AddMember("runtime", provenance_json(e.runtime_from, a), a);
    prov.AddMember("cpus", provenance_json(e.cpus_from, a), a);
    prov.AddMember("mem", provenance_json(e.mem_from, a), a);
    prov.AddMember("io", provenance_json(e.io_from, a), a);
    t.AddMember("provenance", prov, a);
    tasks.PushBack(t, a);
  }
  o.AddMember("tasks", tasks, a);
  return o;
}

std::vector<Estimate> estimates_from_json(const Json& prediction, const model::Workflow& wf) {
  std::unordered_map<std::string_view, const Json*> by_id;
  if (const Json* tasks = io::get(prediction, "tasks"); tasks && tasks->IsArray())
    for (const auto& t : tasks->GetArray())
      if (auto id = io::get_string(t, "id")) by_id[*id] = &t;
  auto quantiles = [](const Json& t, const char* key, Quantiles& q) {
    const Json* m = io::get(t, key);
    if (!m || !m->IsObject()) return false;
    q.p50 = io::get_number(*m, "p50").value_or(0);
    q.p90 = io::get_number(*m, "p90").value_or(q.p50);
    q.p95 = io::get_number(*m, "p95").value_or(q.p90);
    q.p99 = io::get_number(*m, "p99").value_or(q.p95);
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
      e.runtime_from = e.cpus_from = e.mem_from = e.io_from = {Source::model, "from the prediction section", 0, std::nullopt};
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
  if (f.options.capacity.io_bytes_per_s)
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
