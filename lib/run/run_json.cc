#include "run/run_json.h"

#include <algorithm>
#include <cmath>
#include <unordered_map>

#include "predict/contention.h"
#include "util/clock.h"

namespace wf::run {
namespace {

using io::Json;

// p50 and p95 of one measure in the prediction's entry for a task, if it has them.
struct Forecast {
  std::optional<double> p50, p95;
};

Forecast forecast(const Json* entry, std::string_view measure) {
  Forecast f;
  if (!entry) return f;
  const Json* m = io::get(*entry, measure);
  if (!m || !m->IsObject()) return f;
  f.p50 = io::get_number(*m, "p50");
  f.p95 = io::get_number(*m, "p95");
  return f;
}

void deviation(Json& out, std::string_view name, double measured, const Forecast& f, io::Alloc& a) {
  if (!f.p50 || *f.p50 <= 0) return;
  Json d(rapidjson::kObjectType);
  d.AddMember("measured", io::number(measured), a);
  d.AddMember("p50", io::number(*f.p50), a);
  if (f.p95) d.AddMember("p95", io::number(*f.p95), a);
  d.AddMember("ratio", io::number(std::round(measured / *f.p50 * 1000) / 1000), a);
  if (f.p95) d.AddMember("above_p95", Json(measured > *f.p95), a);
  out.AddMember(io::str(name, a), d, a);
}

Json attempt_json(const AttemptResult& ar, io::Alloc& a) {
  Json o(rapidjson::kObjectType);
  o.AddMember("status", io::str(ar.status, a), a);
  if (ar.exit_code) o.AddMember("exit_code", *ar.exit_code, a);
  if (ar.signal) o.AddMember("signal", ar.signal, a);
  o.AddMember("started_at", io::str(util::iso8601(ar.start_s), a), a);
  o.AddMember("runtime_s", io::number(std::round(ar.runtime_s * 1000) / 1000), a);
  o.AddMember("cpu_time_s", io::number(std::round(ar.cpu_time_s * 1000) / 1000), a);
  o.AddMember("peak_rss_bytes", ar.peak_rss_bytes, a);
  o.AddMember("read_bytes", ar.read_bytes, a);
  o.AddMember("write_bytes", ar.write_bytes, a);
  Json reserved(rapidjson::kObjectType);
  reserved.AddMember("cpus", io::number(ar.reserved.cpus), a);
  reserved.AddMember("mem_bytes", io::number(ar.reserved.mem_bytes), a);
  o.AddMember("reserved", reserved, a);
  return o;
}

// The largest sum, over attempts of this invocation running at the same time, of each attempt's
// peak memory (held over its whole life): what a forecast's peaks.used_mem_bytes predicts. Unlike
// the sampled peak_rss_bytes it misses no attempt shorter than the sample interval, and it is an
// upper bound of what was resident at once (the attempts' peaks need not coincide).
uint64_t peak_task_rss_sum(const RunResult& result) {
  std::vector<std::pair<double, int64_t>> events;  // (time, +peak at start / -peak at end)
  for (const auto& tr : result.tasks)
    for (const auto& ar : tr.attempts) {
      if (ar.start_s < result.started_at || ar.peak_rss_bytes == 0) continue;  // a resumed run's earlier attempts
      auto peak = static_cast<int64_t>(ar.peak_rss_bytes);
      events.emplace_back(ar.start_s, peak);
      events.emplace_back(std::max(ar.end_s, ar.start_s), -peak);
    }
  // Ends before starts at the same instant: a task that starts as another ends does not overlap it.
  std::sort(events.begin(), events.end(), [](const auto& x, const auto& y) {
    return x.first != y.first ? x.first < y.first : x.second < y.second;
  });
  int64_t now = 0, peak = 0;
  for (const auto& [t, d] : events) peak = std::max(peak, now += d);
  return static_cast<uint64_t>(peak);
}

}  // namespace

Json run_to_json(const RunResult& result, const RunInfo& info, const model::Workflow& wf, const Json* prediction, io::Alloc& a) {
  std::unordered_map<std::string_view, const Json*> predicted;
  if (prediction)
    if (const Json* tasks = io::get(*prediction, "tasks"); tasks && tasks->IsArray())
      for (const auto& t : tasks->GetArray())
        if (auto id = io::get_string(t, "id")) predicted[*id] = &t;
  Json o(rapidjson::kObjectType);
  o.AddMember("id", io::str(info.id, a), a);
  o.AddMember("executor", "local", a);
  o.AddMember("status", io::str(result.status, a), a);
  o.AddMember("started_at", io::str(util::iso8601(result.started_at), a), a);
  o.AddMember("finished_at", io::str(util::iso8601(result.finished_at), a), a);
  o.AddMember("elapsed_s", io::number(std::round((result.finished_at - result.started_at) * 1000) / 1000), a);
  o.AddMember("run_dir", io::str(info.run_dir, a), a);
  o.AddMember("workdir", io::str(info.workdir, a), a);
  if (!info.history_path.empty()) o.AddMember("history", io::str(info.history_path, a), a);
  Json cap(rapidjson::kObjectType);
  cap.AddMember("cpus", io::number(info.capacity.cpus), a);
  cap.AddMember("mem_bytes", io::number(info.capacity.mem_bytes), a);
  cap.AddMember("source", io::str(info.capacity_source, a), a);
  o.AddMember("capacity", cap, a);

  size_t counts[4] = {0, 0, 0, 0};  // succeeded, failed, skipped/not started, retried
  Json tasks(rapidjson::kArrayType);
  for (size_t i = 0; i < result.tasks.size(); ++i) {
    const auto& tr = result.tasks[i];
    Json t(rapidjson::kObjectType);
    t.AddMember("id", io::str(wf.tasks[i].id, a), a);
    t.AddMember("status", io::str(tr.status, a), a);
    t.AddMember("attempts", static_cast<uint64_t>(tr.attempts.size()), a);
    if (tr.status == "succeeded" || tr.status == "resumed") ++counts[0];
    else if (tr.status == "skipped" || tr.status == "not_started") ++counts[2];
    else ++counts[1];
    if (tr.attempts.size() > 1) ++counts[3];
    if (!tr.attempts.empty()) {
      const auto& last = tr.attempts.back();
      t.AddMember("command", io::str(tr.command, a), a);
      t.AddMember("measured", attempt_json(last, a), a);
      if (tr.attempts.size() > 1) {
        Json all(rapidjson::kArrayType);
        for (const auto& ar : tr.attempts) all.PushBack(attempt_json(ar, a), a);
        t.AddMember("history", all, a);
      }
      auto it = predicted.find(wf.tasks[i].id);
      if (it != predicted.end() && last.status == "succeeded") {
        // The forecast is of a task on an idle host (predict/contention.h): on a host whose
        // runnable threads outnumbered its CPUs, the attempt is judged by its idle-host runtime,
        // and its CPU use by its CPU time over that runtime, as alerts and history judge it.
        std::optional<double> lambda = last.oversubscription();
        bool loaded = lambda && *lambda > 1 && last.runtime_s > 0;
        double runtime = loaded ? predict::idle_runtime(last.runtime_s, last.cpu_time_s, last.reserved.cpus, *lambda)
                                : last.runtime_s;
        Json dev(rapidjson::kObjectType);
        deviation(dev, "runtime_s", runtime, forecast(it->second, "runtime_s"), a);
        deviation(dev, "mem_bytes", static_cast<double>(last.peak_rss_bytes), forecast(it->second, "mem_bytes"), a);
        if (runtime > 0) deviation(dev, "cpus", last.cpu_time_s / runtime, forecast(it->second, "cpus"), a);
        if (dev.MemberCount() > 0 && loaded) {
          dev.AddMember("oversubscription", io::number(std::round(*lambda * 100) / 100), a);
          dev.AddMember("clock_runtime_s", io::number(std::round(last.runtime_s * 1000) / 1000), a);
        }
        if (dev.MemberCount() > 0) t.AddMember("deviation", dev, a);
      }
      // The last attempt's log files; one it did not write to (and that succeeded) has none.
      Json logs(rapidjson::kObjectType);
      if (!tr.log_out.empty()) logs.AddMember("stdout", io::str(tr.log_out, a), a);
      if (!tr.log_err.empty()) logs.AddMember("stderr", io::str(tr.log_err, a), a);
      t.AddMember("logs", logs, a);
      if (!tr.log_err.empty()) t.AddMember("log", io::str(tr.log_err, a), a);
    }
    tasks.PushBack(t, a);
  }
  Json summary(rapidjson::kObjectType);
  summary.AddMember("succeeded", static_cast<uint64_t>(counts[0]), a);
  summary.AddMember("failed", static_cast<uint64_t>(counts[1]), a);
  summary.AddMember("not_run", static_cast<uint64_t>(counts[2]), a);
  summary.AddMember("retried", static_cast<uint64_t>(counts[3]), a);
  summary.AddMember("peak_reserved_cpus", io::number(result.peak_reserved_cpus), a);
  summary.AddMember("peak_reserved_mem_bytes", io::number(result.peak_reserved_mem_bytes), a);
  summary.AddMember("peak_rss_bytes", result.peak_rss_bytes, a);
  summary.AddMember("peak_task_rss_sum_bytes", peak_task_rss_sum(result), a);
  Json sampling(rapidjson::kObjectType);
  sampling.AddMember("interval_s", io::number(info.sample_interval_s), a);
  sampling.AddMember("samples", static_cast<uint64_t>(result.samples), a);
  sampling.AddMember("cpu_s", io::number(std::round(result.sampling_cpu_s * 1e4) / 1e4), a);
  double elapsed = result.finished_at - result.started_at;
  sampling.AddMember("overhead_percent_of_one_core", io::number(elapsed > 0 ? std::round(result.sampling_cpu_s / elapsed * 1e5) / 1e3 : 0), a);
  summary.AddMember("sampling", sampling, a);
  if (!result.clamped.empty()) {
    Json clamped(rapidjson::kArrayType);
    for (const auto& id : result.clamped) clamped.PushBack(io::str(id, a), a);
    summary.AddMember("clamped_to_capacity", clamped, a);
  }
  o.AddMember("summary", summary, a);
  o.AddMember("tasks", tasks, a);
  return o;
}

}  // namespace wf::run
