// The headline cards and the plan-and-use tables: what was planned and provisioned, what the
// forecast said, and what the run actually held and used. Each table only when its section exists.
#include <algorithm>
#include <cmath>

#include <fmt/format.h>

#include "report/axis.h"
#include "report/read.h"

namespace wf::report {
namespace {

using io::Json;

constexpr size_t kMaxRows = 20;

std::string bytes(double v) { return format_value(v, Unit::bytes); }
std::string seconds(double v) { return format_value(v, Unit::seconds); }
std::string usd(double v) { return v < 10 ? fmt::format("${:.4f}", v) : fmt::format("${:.2f}", v); }
std::string percent(double part, double whole) { return whole > 0 ? fmt::format("{:.0f}%", 100 * part / whole) : "-"; }
std::string str(const Json* obj, std::string_view key) {
  auto s = obj ? io::get_string(*obj, key) : std::nullopt;
  return s ? std::string(*s) : std::string();
}
// "p50 X · p95 Y" of a band.
template <typename F>
std::string band_text(const Json* obj, std::string_view key, F format) {
  return fmt::format("{} · {}", format(band_at(obj, key, "p50")), format(band_at(obj, key, "p95")));
}

// CPU time for people: seconds when short, cpu-hours when long.
std::string cpu_time(double s) { return s < 3600 ? format_value(s, Unit::seconds) : fmt::format("{} cpu-h", plain(s / 3600)); }

void notes_from(const Json* list, std::vector<std::string>& out) {
  if (!list || !list->IsArray()) return;
  for (const auto& n : list->GetArray())
    if (n.IsString()) out.emplace_back(io::view(n));
}

FactTable used_table(const Json& run, const RunUse& use, const ReportData& d) {
  FactTable t;
  t.title = "What the run used";
  const Json* summary = io::get(run, "summary");
  const Json* cap = io::get(run, "capacity");
  double cap_cpus = number_at(cap, "cpus"), cap_mem = number_at(cap, "mem_bytes");
  double peak_cpus = number_at(summary, "peak_reserved_cpus"), peak_mem = number_at(summary, "peak_reserved_mem_bytes");
  t.facts.push_back({"elapsed", seconds(d.elapsed_s), fmt::format("{} → {}", d.started_at, d.finished_at)});
  if (cap) t.facts.push_back({"capacity", fmt::format("{}, {}", format_value(cap_cpus, Unit::cpus), bytes(cap_mem)), str(cap, "source")});
  t.facts.push_back({"peak reserved cpus", plain(peak_cpus), cap_cpus > 0 ? percent(peak_cpus, cap_cpus) + " of capacity" : ""});
  t.facts.push_back({"peak reserved memory", bytes(peak_mem), cap_mem > 0 ? percent(peak_mem, cap_mem) + " of capacity" : ""});
  double rss = number_at(summary, "peak_rss_bytes");
  t.facts.push_back({"peak RSS", bytes(rss), peak_mem > 0 ? percent(rss, peak_mem) + " of the peak reserved" : ""});
  t.facts.push_back({"CPU time", cpu_time(use.cpu_s),
                     fmt::format("{} of {} reserved core-time", percent(use.cpu_s, use.reserved_cpu_s), cpu_time(use.reserved_cpu_s))});
  t.facts.push_back({"tasks", fmt::format("{} succeeded", grouped(d.succeeded)),
                     fmt::format("{} failed · {} not run · {} retried", grouped(d.failed), grouped(d.not_run), grouped(d.retried))});
  if (const Json* sampling = summary ? io::get(*summary, "sampling") : nullptr)
    t.facts.push_back({"sampling", fmt::format("every {}", seconds(number_at(sampling, "interval_s"))),
                       fmt::format("{} samples, {}% of one core", grouped(static_cast<uint64_t>(number_at(sampling, "samples"))),
                                   plain(number_at(sampling, "overhead_percent_of_one_core")))});
  return t;
}

FactTable forecast_table(const Json& p) {
  FactTable t;
  t.title = "Forecast (p50 · p95)";
  const Json* peaks = io::get(p, "peaks");
  t.facts.push_back({"makespan", fmt::format("{} · {}", seconds(band_at(&p, "makespan_s", "p50")), seconds(band_at(&p, "makespan_s", "p95"))), ""});
  t.facts.push_back({"tasks at once", band_text(peaks, "tasks", plain), ""});
  t.facts.push_back({"reserved cpus", band_text(peaks, "reserved_cpus", plain), ""});
  t.facts.push_back({"reserved memory", band_text(peaks, "reserved_mem_bytes", bytes), ""});
  t.facts.push_back({"used memory", band_text(peaks, "used_mem_bytes", bytes), ""});
  t.facts.push_back({"I/O", band_text(peaks, "io_bytes_per_s", [](double v) { return format_value(v, Unit::bytes_per_s); }), ""});
  t.notes.push_back(fmt::format("{} simulated runs (seed {}), {} at once", plain(number_at(&p, "samples")), plain(number_at(&p, "seed")),
                                plain(std::max(1.0, number_at(&p, "concurrency")))));
  return t;
}

void cloud_facts(const Json& c, FactTable& t) {
  t.facts.push_back({"cloud plan", usd(number_at(&c, "total_usd")), fmt::format("expected, in {}, billed {}", str(&c, "region"), str(&c, "billing"))});
  t.facts.push_back({"lower bound", usd(number_at(&c, "lower_bound_usd")), fmt::format("the plan is ×{} of it", plain(number_at(&c, "ratio_to_bound")))});
  if (const Json* naive = io::get(c, "naive"))
    t.facts.push_back({"naive plan", usd(number_at(naive, "total_usd")),
                       fmt::format("{}; the plan costs {} of it", str(naive, "what"), percent(number_at(&c, "ratio_to_naive"), 1))});
  const Json* items = io::get(c, "items");
  if (items && items->IsArray() && !items->Empty()) {
    t.header = {"instance", "option", "count", "from", "to", "cost", "why"};
    for (const auto& it : items->GetArray()) {
      if (t.rows.size() == kMaxRows) break;
      t.rows.push_back({str(&it, "instance_type"), str(&it, "option"), plain(number_at(&it, "count")), seconds(number_at(&it, "start_s")),
                        seconds(number_at(&it, "end_s")), usd(number_at(&it, "compute_usd")), str(&it, "why")});
    }
    if (items->Size() > kMaxRows) t.notes.push_back(fmt::format("and {} more instances", grouped(items->Size() - kMaxRows)));
  }
  if (auto why = io::get_string(c, "why")) t.notes.emplace_back(*why);
  notes_from(io::get(c, "notes"), t.notes);
}

FactTable plan_table(const Json& plan) {
  FactTable t;
  t.title = "Plan";
  if (const Json* demand = io::get(plan, "demand"))
    t.facts.push_back({"covers", fmt::format("{}, {}", format_value(number_at(demand, "peak_cpus"), Unit::cpus), bytes(number_at(demand, "peak_mem_bytes"))),
                       fmt::format("the forecast's {} peak; makespan {}", str(&plan, "quantile"), seconds(number_at(demand, "makespan_s")))});
  if (const Json* local = io::get(plan, "local")) {
    t.facts.push_back({"local lease", fmt::format("{}, {}", format_value(number_at(local, "cpus"), Unit::cpus), bytes(number_at(local, "mem_bytes"))),
                       fmt::format("of this machine's {}, {}", format_value(number_at(local, "machine_cpus"), Unit::cpus),
                                   bytes(number_at(local, "machine_mem_bytes")))});
    if (auto m = io::get_number(*local, "makespan_under_lease_s")) t.facts.push_back({"makespan under the lease", seconds(*m), "p95"});
    notes_from(io::get(*local, "why"), t.notes);
  }
  if (const Json* cloud = io::get(plan, "cloud")) cloud_facts(*cloud, t);
  return t;
}

// What wf-reap said of each resource (the reap section), by id: "released" or "already gone".
std::string reaped_state(const Json* reap, std::string_view id) {
  for (const char* key : {"released", "already_gone"}) {
    const Json* list = reap ? io::get(*reap, key) : nullptr;
    if (!list || !list->IsArray()) continue;
    for (const auto& r : list->GetArray())
      if (io::get_string(r, "id") == id) return std::string(key) == "released" ? "released" : "already gone";
  }
  return "";
}

FactTable provision_table(const Json& p, const Json* reap) {
  FactTable t;
  t.title = "Provisioned";
  if (io::get_number(p, "cpus") || io::get_number(p, "mem_bytes"))
    t.facts.push_back({"capacity", fmt::format("{}, {}", format_value(number_at(&p, "cpus"), Unit::cpus), bytes(number_at(&p, "mem_bytes"))), ""});
  if (auto owner = io::get_string(p, "run_id")) t.facts.push_back({"owner", std::string(*owner), "the run id every resource is recorded with"});
  const Json* resources = io::get(p, "resources");
  if (resources && resources->IsArray() && !resources->Empty()) {
    t.header = {"resource", "provider", "kind", "state", "ttl"};
    for (const auto& r : resources->GetArray()) {
      if (t.rows.size() == kMaxRows) break;
      auto ttl = io::get_number(r, "ttl_s");
      std::string state = reaped_state(reap, str(&r, "id"));
      t.rows.push_back({str(&r, "id"), str(&r, "provider"), str(&r, "kind"), state.empty() ? str(&r, "state") : state + " (wf-reap)", ttl ? seconds(*ttl) : ""});
    }
    if (resources->Size() > kMaxRows) t.notes.push_back(fmt::format("and {} more resources", grouped(resources->Size() - kMaxRows)));
  }
  return t;
}

void headline(const io::Document& doc, const RunUse& use, ReportData& d) {
  const Json* prediction = doc.section("prediction");
  const Json* peaks = prediction ? io::get(*prediction, "peaks") : nullptr;
  const Json* run = doc.section("run");
  if (d.has_run) {
    std::string counts = fmt::format("{} tasks: {} succeeded", grouped(d.tasks), grouped(d.succeeded));
    if (d.failed) counts += fmt::format(" · {} failed", grouped(d.failed));
    if (d.not_run) counts += fmt::format(" · {} not run", grouped(d.not_run));
    if (d.retried) counts += fmt::format(" · {} retried", grouped(d.retried));
    d.headline.push_back({"status", d.status, counts});
    std::string forecast;
    if (d.makespan_p50_s && d.makespan_p95_s)
      forecast = fmt::format("forecast {} (p50), {} (p95){}", seconds(*d.makespan_p50_s), seconds(*d.makespan_p95_s),
                             d.elapsed_s > *d.makespan_p95_s ? ": slower than p95" : "");
    d.headline.push_back({"elapsed", seconds(d.elapsed_s), forecast});
    const Json* summary = io::get(*run, "summary");
    std::string cpus_note = peaks ? fmt::format("forecast p95 {}", plain(band_at(peaks, "reserved_cpus", "p95"))) : "";
    if (!d.demand.empty() && d.demand.front().unit == Unit::cpus && d.demand.front().capacity)
      cpus_note += fmt::format("{}{} {}", cpus_note.empty() ? "" : " · ", d.demand.front().capacity_label, plain(*d.demand.front().capacity));
    d.headline.push_back({"peak cpus reserved", plain(number_at(summary, "peak_reserved_cpus")), cpus_note});
    std::string mem_note = fmt::format("peak RSS {}", bytes(number_at(summary, "peak_rss_bytes")));
    if (peaks) mem_note += fmt::format(" · forecast p95 {}", bytes(band_at(peaks, "reserved_mem_bytes", "p95")));
    d.headline.push_back({"peak memory reserved", bytes(number_at(summary, "peak_reserved_mem_bytes")), mem_note});
    d.headline.push_back({"CPU time", cpu_time(use.cpu_s), fmt::format("{} of the core-time held", percent(use.cpu_s, use.reserved_cpu_s))});
  } else if (prediction) {
    d.headline.push_back({"forecast makespan", seconds(d.makespan_p50_s.value_or(0)), fmt::format("p50; p95 {}", seconds(d.makespan_p95_s.value_or(0)))});
    d.headline.push_back({"peak cpus", plain(band_at(peaks, "reserved_cpus", "p50")), fmt::format("p50; p95 {}", plain(band_at(peaks, "reserved_cpus", "p95")))});
    d.headline.push_back({"peak memory", bytes(band_at(peaks, "reserved_mem_bytes", "p50")),
                          fmt::format("p50; p95 {}", bytes(band_at(peaks, "reserved_mem_bytes", "p95")))});
  }
  const Json* plan = doc.section("plan");
  if (const Json* cloud = plan ? io::get(*plan, "cloud") : nullptr) {
    std::string note = fmt::format("lower bound {}", usd(number_at(cloud, "lower_bound_usd")));
    if (const Json* naive = io::get(*cloud, "naive")) note += fmt::format(" · naive {}", usd(number_at(naive, "total_usd")));
    d.headline.push_back({"planned cost", usd(number_at(cloud, "total_usd")), note});
  }
  if (!d.anomalies.empty()) d.headline.push_back({"anomalies", grouped(d.anomalies.size()), "recorded by the run; listed below"});
}

}  // namespace

void read_plan(const io::Document& doc, const RunUse& use, ReportData& d) {
  const Json* prediction = doc.section("prediction");
  if (prediction && io::get(*prediction, "makespan_s")) {
    d.makespan_p50_s = band_at(prediction, "makespan_s", "p50");
    d.makespan_p95_s = band_at(prediction, "makespan_s", "p95");
  }
  headline(doc, use, d);
  if (const Json* plan = doc.section("plan"); plan && plan->IsObject()) d.plan.push_back(plan_table(*plan));
  if (const Json* p = doc.section("provision"); p && p->IsObject()) d.plan.push_back(provision_table(*p, doc.section("reap")));
  if (prediction && prediction->IsObject()) d.plan.push_back(forecast_table(*prediction));
  if (const Json* run = doc.section("run"); d.has_run && run) d.plan.push_back(used_table(*run, use, d));
}

}  // namespace wf::report
