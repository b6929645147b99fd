// The demand panels: the forecast's p50 and p95 over time, what the run held and used, and the
// capacity it had (provisioned, planned, or the run's own).
#include <algorithm>

#include <fmt/format.h>

#include "report/axis.h"
#include "report/read.h"

namespace wf::report {
namespace {

using io::Json;

const Json* points_of(const Json* section, std::string_view key) {
  const Json* holder = section ? io::get(*section, key) : nullptr;
  const Json* points = holder ? io::get(*holder, "points") : nullptr;
  return points && points->IsArray() && !points->Empty() ? points : nullptr;
}

// The forecast timeline's `key` band at `quantile`: each point holds for step_s.
StepSeries forecast_series(const Json& timeline, const Json& points, std::string_view key, std::string_view quantile) {
  StepSeries s;
  double step = number_at(&timeline, "step_s");
  for (const auto& p : points.GetArray()) s.steps.push_back({number_at(&p, "t_s"), band_at(&p, key, quantile)});
  s.end_s = s.steps.back().t_s + step;
  return bucket_max(s, kMaxSteps);
}

// run.usage's samples of `keys` (summed): each holds until the next sample.
StepSeries usage_series(const Json& usage, const Json& points, std::initializer_list<std::string_view> keys) {
  StepSeries s;
  for (const auto& p : points.GetArray()) {
    double v = 0;
    for (auto k : keys) v += number_at(&p, k);
    s.steps.push_back({number_at(&p, "t_s"), v});
  }
  s.end_s = s.steps.back().t_s + number_at(&usage, "interval_s");
  return bucket_max(s, kMaxSteps);
}

StepSeries rebuilt(const std::vector<Interval>& intervals) { return bucket_max(sum_intervals(intervals), kMaxSteps); }

// The capacity of one resource: what was provisioned, else the planned local lease, else what the
// run had, else what the forecast assumed.
void set_capacity(const io::Document& doc, std::string_view key, Panel& panel) {
  const Json* run = doc.section("run");
  const Json* plan = doc.section("plan");
  struct Candidate {
    const Json* obj;
    const char* label;
  };
  const Candidate candidates[] = {{doc.section("provision"), "provisioned"},
                                  {plan ? io::get(*plan, "local") : nullptr, "planned lease"},
                                  {run ? io::get(*run, "capacity") : nullptr, "run capacity"},
                                  {doc.section("prediction") ? io::get(*doc.section("prediction"), "capacity") : nullptr, "forecast capacity"}};
  for (const auto& c : candidates) {
    if (!c.obj) continue;
    if (auto v = io::get_number(*c.obj, key); v && *v > 0) {
      panel.capacity = *v;
      panel.capacity_label = c.label;
      if (auto source = io::get_string(*c.obj, "source"); source && std::string_view(c.label) == "run capacity")
        panel.capacity_label = fmt::format("run capacity ({})", *source);
      return;
    }
  }
}

// A cloud plan's instances over time: per item, count × its size during [start_s, end_s).
StepSeries planned_series(const io::Document& doc, std::string_view key) {
  const Json* plan = doc.section("plan");
  const Json* cloud = plan ? io::get(*plan, "cloud") : nullptr;
  const Json* items = cloud ? io::get(*cloud, "items") : nullptr;
  if (!items || !items->IsArray()) return {};
  std::vector<Interval> intervals;
  for (const auto& it : items->GetArray())
    intervals.push_back({number_at(&it, "start_s"), number_at(&it, "end_s"), number_at(&it, "count") * number_at(&it, key)});
  return rebuilt(intervals);
}

bool has_data(const Panel& p) {
  return p.forecast_p95.max() > 0 || p.measured_reserved.max() > 0 || p.measured_used.max() > 0;
}

}  // namespace

void read_demand(const io::Document& doc, const RunUse& use, ReportData& data) {
  Panel cpus, mem, rate;
  cpus.title = "cpus", cpus.unit = Unit::cpus;
  mem.title = "memory", mem.unit = Unit::bytes;
  rate.title = "I/O", rate.unit = Unit::bytes_per_s;
  const Json* prediction = doc.section("prediction");
  const Json* timeline = prediction ? io::get(*prediction, "timeline") : nullptr;
  if (const Json* points = points_of(prediction, "timeline")) {
    data.has_prediction = true;
    cpus.forecast_p50 = forecast_series(*timeline, *points, "reserved_cpus", "p50");
    cpus.forecast_p95 = forecast_series(*timeline, *points, "reserved_cpus", "p95");
    mem.forecast_p50 = forecast_series(*timeline, *points, "reserved_mem_bytes", "p50");
    mem.forecast_p95 = forecast_series(*timeline, *points, "reserved_mem_bytes", "p95");
    rate.forecast_p50 = forecast_series(*timeline, *points, "io_bytes_per_s", "p50");
    rate.forecast_p95 = forecast_series(*timeline, *points, "io_bytes_per_s", "p95");
  }
  const Json* run = doc.section("run");
  const Json* usage = run ? io::get(*run, "usage") : nullptr;
  if (const Json* points = points_of(run, "usage")) {
    cpus.measured_reserved = usage_series(*usage, *points, {"reserved_cpus"});
    cpus.measured_used = usage_series(*usage, *points, {"cpus"});
    mem.measured_reserved = usage_series(*usage, *points, {"reserved_mem_bytes"});
    mem.measured_used = usage_series(*usage, *points, {"rss_bytes"});
    rate.measured_used = usage_series(*usage, *points, {"read_bytes_per_s", "write_bytes_per_s"});
    data.usage_source = fmt::format("measured by the run, a sample every {}", format_value(number_at(usage, "interval_s"), Unit::seconds));
  } else if (data.has_run) {
    cpus.measured_reserved = rebuilt(use.reserved_cpus);
    cpus.measured_used = rebuilt(use.used_cpus);
    mem.measured_reserved = rebuilt(use.reserved_mem);
    mem.measured_used = rebuilt(use.rss);
    rate.measured_used = rebuilt(use.io);
    data.usage_source = fmt::format("rebuilt from each task's start, runtime and totals (the run has no usage samples): used memory counts "
                                    "each task's peak RSS for its whole runtime, an upper bound; cpus and I/O are each task's average{}",
                                    data.starts_to_the_second ? "; starts are known to the second only, so short tasks may seem to overlap" : "");
  }
  set_capacity(doc, "cpus", cpus);
  set_capacity(doc, "mem_bytes", mem);
  if (prediction)
    if (const Json* cap = io::get(*prediction, "capacity"))
      if (auto v = io::get_number(*cap, "io_bytes_per_s"); v && *v > 0) rate.capacity = *v, rate.capacity_label = "forecast I/O capacity";
  cpus.planned = planned_series(doc, "vcpu");
  mem.planned = planned_series(doc, "mem_bytes");
  for (Panel* p : {&cpus, &mem, &rate}) {
    if (!has_data(*p)) continue;
    for (const StepSeries* s : {&p->measured_reserved, &p->measured_used}) data.span_s = std::max(data.span_s, s->end_s);
    if (!data.has_run) data.forecast_end_s = std::max(data.forecast_end_s, p->forecast_p95.end_s);
    data.demand.push_back(std::move(*p));
  }
}

}  // namespace wf::report
