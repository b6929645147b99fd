#include "run/slurm_demand.h"

#include <algorithm>
#include <map>

#include "schedule/policy.h"

namespace wf::run {
namespace {

std::optional<double> quantile(const io::Json* entry, const char* measure, const char* q) {
  if (!entry) return std::nullopt;
  const io::Json* m = io::get(*entry, measure);
  return m ? io::get_number(*m, q) : std::nullopt;
}

std::map<std::string_view, const io::Json*> predicted_tasks(const io::Document& doc) {
  std::map<std::string_view, const io::Json*> out;
  if (const io::Json* pred = doc.section("prediction"))
    if (const io::Json* tasks = io::get(*pred, "tasks"); tasks && tasks->IsArray())
      for (const auto& t : tasks->GetArray())
        if (auto id = io::get_string(t, "id")) out[*id] = &t;
  return out;
}

}  // namespace

std::vector<SlurmTaskDemand> slurm_demands(const io::Document& doc) {
  const auto& wf = doc.workflow();
  auto predicted = predicted_tasks(doc);
  std::vector<SlurmTaskDemand> out;
  out.reserve(wf.tasks.size());
  for (const auto& t : wf.tasks) {
    auto it = predicted.find(t.id);
    const io::Json* p = it == predicted.end() ? nullptr : it->second;
    SlurmTaskDemand d;
    auto forecast_cpus = quantile(p, "cpus", "p95");
    d.cpus = t.hints.cpus.value_or(forecast_cpus ? schedule::cpu_reservation(*forecast_cpus) : 1.0);
    if (auto m = quantile(p, "mem_bytes", "p95")) d.mem_bytes = *m;
    else if (t.hints.mem_bytes) d.mem_bytes = static_cast<double>(*t.hints.mem_bytes);
    d.expected_s = quantile(p, "runtime_s", "p50").value_or(t.hints.duration_s.value_or(t.recorded.runtime_s.value_or(1.0)));
    if (t.timeout_s) {
      d.time_limit_s = *t.timeout_s;
    } else if (auto p99 = quantile(p, "runtime_s", "p99")) {
      d.time_limit_s = std::max(60.0, 2 * *p99);
      d.time_from_forecast = true;
    }
    out.push_back(d);
  }
  return out;
}

PeakDemand peak_demand(const io::Document& doc, const std::vector<SlurmTaskDemand>& demands) {
  PeakDemand peak;
  if (const io::Json* pred = doc.section("prediction"))
    if (const io::Json* peaks = io::get(*pred, "peaks")) {
      auto cpus = quantile(peaks, "reserved_cpus", "p95");
      auto mem = quantile(peaks, "reserved_mem_bytes", "p95");
      if (cpus && *cpus > 0) {
        peak.cpus = *cpus;
        peak.mem_bytes = mem.value_or(0);
        peak.from_forecast = true;
        return peak;
      }
    }
  for (const auto& d : demands) {
    peak.cpus = std::max(peak.cpus, d.cpus);
    peak.mem_bytes = std::max(peak.mem_bytes, d.mem_bytes);
  }
  return peak;
}

}  // namespace wf::run
