#include "cli/provision_plan.h"

#include <algorithm>
#include <cmath>

#include <fmt/format.h>

#include "model/units.h"
#include "plan/catalog.h"
#include "predict/forecast.h"
#include "util/machine.h"
#include "schedule/policy.h"
#include "util/error.h"

namespace wf::cli {
namespace {

using io::Json;

double band(const Json& obj, const char* key, const std::string& q) {
  const Json* b = io::get(obj, key);
  return b ? io::get_number(*b, q).value_or(0) : 0;
}

// The forecast's demand timeline as the planner's steps (at the chosen quantile).
plan::Demand demand_from(const Json& prediction, const PlanRequest& r, const model::Workflow& wf) {
  plan::Demand d;
  const Json* timeline = io::get(prediction, "timeline");
  double step = timeline ? io::get_number(*timeline, "step_s").value_or(0) : 0;
  const Json* points = timeline ? io::get(*timeline, "points") : nullptr;
  if (points && points->IsArray() && step > 0) {
    // Each point holds until the next one (the section rounds instants, so never add the step).
    const auto& pts = points->GetArray();
    for (rapidjson::SizeType i = 0; i < pts.Size(); ++i) {
      double t = io::get_number(pts[i], "t_s").value_or(0);
      double end = i + 1 < pts.Size() ? io::get_number(pts[i + 1], "t_s").value_or(t + step) : t + step;
      plan::DemandStep s{t, end, band(pts[i], "reserved_cpus", r.quantile), band(pts[i], "reserved_mem_bytes", r.quantile), 0};
      if (end > t && (s.cpus > 0 || s.mem_bytes > 0)) d.steps.push_back(s);
    }
  }
  // A workflow of a few milliseconds has a timeline too short for the section's rounding (its step
  // is 0.000 s): its peaks, held for the p95 makespan (at least a second), are the demand.
  const Json* peaks = io::get(prediction, "peaks");
  if (d.steps.empty() && peaks) {
    double makespan = 0;
    if (const Json* m = io::get(prediction, "makespan_s")) makespan = io::get_number(*m, "p95").value_or(0);
    plan::DemandStep s{0, std::max(1.0, makespan), band(*peaks, "reserved_cpus", r.quantile), band(*peaks, "reserved_mem_bytes", r.quantile), 0};
    if (s.cpus > 0 || s.mem_bytes > 0) d.steps.push_back(s);
  }
  if (d.steps.empty()) fail(util::Exit::data, "the prediction has no demand timeline to plan for (run wf-predict first)");
  for (const auto& e : predict::estimates_from_json(prediction, wf)) {
    d.max_task_cpus = std::max(d.max_task_cpus, schedule::cpu_reservation(e.cpus.p95));
    d.max_task_mem_bytes = std::max(d.max_task_mem_bytes, e.mem_bytes.p95);
    d.task_runtime_s = std::max(d.task_runtime_s, e.runtime_s.p95);
  }
  // Without a deadline, the forecast's p95 makespan plus room to re-run its longest task twice:
  // enough slack for spot capacity to be worth considering, never an unbounded run.
  double makespan = 0;
  if (const Json* m = io::get(prediction, "makespan_s")) makespan = io::get_number(*m, "p95").value_or(0);
  d.deadline_s = r.deadline_s ? *r.deadline_s : std::max(d.steps.back().t_end_s, makespan + 2 * d.task_runtime_s);
  d.budget_usd = r.budget_usd;
  d.regions = r.regions;
  for (const auto& o : r.options) {
    auto opt = plan::parse_option(o);
    if (!opt) fail(util::Exit::usage, "--option '{}': expected on-demand, spot or reserved", o);
    d.options.push_back(*opt);
  }
  d.billing = r.billing == "per-hour" ? plan::Billing::per_hour() : plan::Billing::per_second();
  return d;
}

Json item_json(const plan::PlanItem& it, io::Alloc& a) {
  Json o(rapidjson::kObjectType);
  o.AddMember("instance_type", io::str(it.instance_type, a), a);
  o.AddMember("region", io::str(it.region, a), a);
  o.AddMember("option", io::str(plan::to_string(it.option), a), a);
  o.AddMember("count", it.count, a);
  o.AddMember("start_s", io::number(std::round(it.start_s)), a);
  o.AddMember("end_s", io::number(std::round(it.end_s)), a);
  o.AddMember("vcpu", io::number(it.vcpu), a);
  o.AddMember("mem_bytes", io::number(it.mem_bytes), a);
  o.AddMember("usd_per_hour", io::number(it.usd_per_hour), a);
  o.AddMember("compute_usd", io::number(std::round(it.compute_usd * 1e4) / 1e4), a);
  if (it.option == plan::PurchaseOption::spot) {
    o.AddMember("interruption_usd", io::number(std::round(it.interruption_usd * 1e4) / 1e4), a);
    o.AddMember("interruption_bucket", io::str(it.interruption_bucket, a), a);
  }
  o.AddMember("why", io::str(it.why, a), a);
  return o;
}

Json cloud_json(const plan::Plan& p, io::Alloc& a) {
  auto usd = [](double v) { return io::number(std::round(v * 1e4) / 1e4); };
  Json o(rapidjson::kObjectType);
  o.AddMember("region", io::str(p.region, a), a);
  Json items(rapidjson::kArrayType);
  for (const auto& it : p.items) items.PushBack(item_json(it, a), a);
  o.AddMember("items", items, a);
  o.AddMember("compute_usd", usd(p.compute_usd), a);
  o.AddMember("interruption_usd", usd(p.interruption_usd), a);
  o.AddMember("transfer_usd", usd(p.transfer_usd), a);
  o.AddMember("total_usd", usd(p.total_usd), a);
  o.AddMember("lower_bound_usd", usd(p.lower_bound_usd), a);
  o.AddMember("ratio_to_bound", io::number(std::round(p.ratio_to_bound * 1e4) / 1e4), a);
  if (p.naive) {
    Json n(rapidjson::kObjectType);
    n.AddMember("region", io::str(p.naive->region, a), a);
    n.AddMember("total_usd", usd(p.naive->total_usd), a);
    n.AddMember("what", "the forecast peak, on-demand, held for the whole run", a);
    o.AddMember("naive", n, a);
    o.AddMember("ratio_to_naive", io::number(std::round(p.ratio_to_naive * 1e4) / 1e4), a);
  }
  o.AddMember("billing", io::str(p.billing, a), a);
  o.AddMember("why", io::str(p.why, a), a);
  Json notes(rapidjson::kArrayType);
  for (const auto& n : p.notes) notes.PushBack(io::str(n, a), a);
  o.AddMember("notes", notes, a);
  return o;
}

}  // namespace

Json make_plan_section(io::Document& doc, const model::Dag& dag, const PlanRequest& r, LocalPlan& local) {
  const Json* prediction = doc.section("prediction");
  if (!prediction) fail(util::Exit::data, "the document has no prediction: pipe it through wf-predict first");
  const auto& wf = doc.workflow();
  io::Alloc& a = doc.alloc();
  Json o(rapidjson::kObjectType);
  o.AddMember("provider", io::str(r.provider, a), a);
  o.AddMember("quantile", io::str(r.quantile, a), a);
  const Json* peaks = io::get(*prediction, "peaks");
  const Json* makespan = io::get(*prediction, "makespan_s");
  Json demand(rapidjson::kObjectType);
  double peak_cpus = peaks ? band(*peaks, "reserved_cpus", r.quantile) : 0;
  double peak_mem = peaks ? band(*peaks, "reserved_mem_bytes", r.quantile) : 0;
  demand.AddMember("peak_cpus", io::number(peak_cpus), a);
  demand.AddMember("peak_mem_bytes", io::number(std::round(peak_mem)), a);
  demand.AddMember("makespan_s", io::number(makespan ? io::get_number(*makespan, r.quantile.c_str()).value_or(0) : 0), a);
  o.AddMember("demand", demand, a);

  if (r.provider == "local") {
    local.machine_cpus = util::machine_cpus();
    local.machine_mem_bytes = static_cast<double>(util::machine_available_mem_bytes());
    local.forecast_cpus = peak_cpus;
    local.forecast_mem_bytes = peak_mem * (1 + r.mem_margin);
    local.cpus = std::min(std::max(1.0, std::ceil(peak_cpus * 100) / 100), local.machine_cpus);
    local.mem_bytes = std::min(std::ceil(local.forecast_mem_bytes), local.machine_mem_bytes);
    local.why.push_back(fmt::format("forecast {} peak: {:.3g} cpus, {} reserved (+{:.0f}% margin on memory)", r.quantile, peak_cpus,
                                    model::format_bytes(peak_mem), r.mem_margin * 100));
    if (local.cpus < peak_cpus || local.mem_bytes < local.forecast_mem_bytes) {
      // Less than the peak: say what that costs in time, by simulating the run under the lease.
      predict::ForecastOptions fo;
      fo.samples = 50;
      fo.capacity.cpus = local.cpus;
      fo.capacity.mem_bytes = local.mem_bytes;
      fo.capacity.background = predict::background_from_json(*prediction);  // this machine's other load goes on
      auto f = predict::forecast(wf, dag, predict::estimates_from_json(*prediction, wf), fo);
      local.makespan_under_lease_s = f.makespan_s.p95;
      local.under_lease_makespan_s = std::pair{f.makespan_s.p50, f.makespan_s.p95};
      local.under_lease_used_mem_bytes = std::pair{f.peak_used_mem_bytes.p50, f.peak_used_mem_bytes.p95};
      local.why.push_back(fmt::format("this machine has {:.3g} cpus and {} available: the lease is capped, and the forecast makespan "
                                      "under it is {} (p95)", local.machine_cpus, model::format_bytes(local.machine_mem_bytes),
                                      model::format_duration(f.makespan_s.p95)));
    } else {
      local.why.push_back("this machine covers the forecast peak: the lease holds the peak, no more");
    }
    Json l(rapidjson::kObjectType);
    l.AddMember("cpus", io::number(local.cpus), a);
    l.AddMember("mem_bytes", io::number(local.mem_bytes), a);
    l.AddMember("machine_cpus", io::number(local.machine_cpus), a);
    l.AddMember("machine_mem_bytes", io::number(local.machine_mem_bytes), a);
    if (local.makespan_under_lease_s) l.AddMember("makespan_under_lease_s", io::number(std::round(*local.makespan_under_lease_s * 1000) / 1000), a);
    if (local.under_lease_makespan_s && local.under_lease_used_mem_bytes) {
      auto bandj = [&](std::pair<double, double> b, double scale) {
        Json j(rapidjson::kObjectType);
        j.AddMember("p50", io::number(std::round(b.first * scale) / scale), a);
        j.AddMember("p95", io::number(std::round(b.second * scale) / scale), a);
        return j;
      };
      Json u(rapidjson::kObjectType);
      u.AddMember("makespan_s", bandj(*local.under_lease_makespan_s, 1000), a);
      u.AddMember("peak_used_mem_bytes", bandj(*local.under_lease_used_mem_bytes, 1), a);
      l.AddMember("under_lease", u, a);
    }
    Json why(rapidjson::kArrayType);
    for (const auto& w : local.why) why.PushBack(io::str(w, a), a);
    l.AddMember("why", why, a);
    o.AddMember("local", l, a);
  }
  if (!r.catalogs.empty()) {
    std::vector<plan::Catalog> catalogs;
    for (const auto& path : r.catalogs) catalogs.push_back(plan::read_catalog(path));
    plan::Catalog catalog = plan::merge_all(catalogs);
    plan::Plan p = plan::make_plan(catalog, demand_from(*prediction, r, wf));
    o.AddMember("cloud", cloud_json(p, a), a);
  }
  return o;
}

std::string render_plan_table(const Json& plan) {
  std::string out;
  const Json* demand = io::get(plan, "demand");
  if (demand)
    out += fmt::format("forecast demand ({}): peak {:.3g} cpus, {}; makespan {}\n", io::get_string(plan, "quantile").value_or("p95"),
                       io::get_number(*demand, "peak_cpus").value_or(0), model::format_bytes(io::get_number(*demand, "peak_mem_bytes").value_or(0)),
                       model::format_duration(io::get_number(*demand, "makespan_s").value_or(0)));
  if (const Json* l = io::get(plan, "local")) {
    out += fmt::format("\nlocal lease: {:.3g} cpus, {}\n", io::get_number(*l, "cpus").value_or(0),
                       model::format_bytes(io::get_number(*l, "mem_bytes").value_or(0)));
    if (const Json* why = io::get(*l, "why"))
      for (const auto& w : why->GetArray()) out += fmt::format("  - {}\n", io::view(w));
  }
  if (const Json* c = io::get(plan, "cloud")) {
    out += fmt::format("\ncloud plan in {}: expected ${:.4f} (lower bound ${:.4f}, ratio {:.3f})\n", io::get_string(*c, "region").value_or(""),
                       io::get_number(*c, "total_usd").value_or(0), io::get_number(*c, "lower_bound_usd").value_or(0),
                       io::get_number(*c, "ratio_to_bound").value_or(0));
    if (const Json* n = io::get(*c, "naive"))
      out += fmt::format("  the naive plan (peak, on-demand, whole run) costs ${:.4f}: this plan is {:.0f}% of it\n",
                         io::get_number(*n, "total_usd").value_or(0), 100 * io::get_number(*c, "ratio_to_naive").value_or(0));
    out += fmt::format("  {:<14}{:<11}{:>6}{:>10}{:>10}{:>10}  why\n", "type", "option", "count", "from", "to", "usd");
    if (const Json* items = io::get(*c, "items"))
      for (const auto& it : items->GetArray())
        out += fmt::format("  {:<14}{:<11}{:>6}{:>10}{:>10}{:>10.4f}  {}\n", io::get_string(it, "instance_type").value_or(""),
                           io::get_string(it, "option").value_or(""), io::get_number(it, "count").value_or(0),
                           model::format_duration(io::get_number(it, "start_s").value_or(0)),
                           model::format_duration(io::get_number(it, "end_s").value_or(0)), io::get_number(it, "compute_usd").value_or(0),
                           io::get_string(it, "why").value_or(""));
    if (const Json* notes = io::get(*c, "notes"))
      for (const auto& n : notes->GetArray()) out += fmt::format("  note: {}\n", io::view(n));
  }
  return out;
}

}  // namespace wf::cli
