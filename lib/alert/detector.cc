#include "alert/detector.h"

#include "predict/contention.h"

namespace wf::alert {

Detector::Detector(std::vector<TaskBaseline> tasks, Thresholds thresholds, RunContext context)
    : tasks_(std::move(tasks)), thresholds_(thresholds), context_(std::move(context)) {}

std::optional<Alert> Detector::check(uint32_t task, int attempt, Measure m, double value, const char* phase) {
  if (task >= tasks_.size()) return std::nullopt;
  const auto& expected = tasks_[task].at(m);
  if (!expected) return std::nullopt;
  auto severity = judge(*expected, value, thresholds_);
  if (!severity) return std::nullopt;
  if (!sent_.emplace(task, attempt, m).second) return std::nullopt;
  Alert a;
  a.severity = *severity;
  a.measure = m;
  a.phase = phase;
  a.task = tasks_[task].task;
  a.category = tasks_[task].category;
  a.attempt = attempt;
  a.value = value;
  a.expected = *expected;
  a.z = robust_z(*expected, value);
  a.run_id = context_.run_id;
  a.workflow = context_.workflow;
  return a;
}

std::optional<Alert> Detector::check_runtime(uint32_t task, int attempt, double runtime_s, double cpu_time_s,
                                             double reserved_cpus, std::optional<double> lambda, const char* phase) {
  if (!lambda || *lambda <= 1) return check(task, attempt, Measure::runtime_s, runtime_s, phase);
  double idle = predict::idle_runtime(runtime_s, cpu_time_s, reserved_cpus, *lambda);
  auto a = check(task, attempt, Measure::runtime_s, idle, phase);
  if (a) a->measured = runtime_s, a->oversubscription = lambda;
  return a;
}

std::vector<Alert> Detector::sampled(const run::LiveSample& s, double now_wall, double elapsed_s) {
  std::vector<Alert> out;
  auto add = [&](Measure m, double value) {
    if (auto a = check(s.task, s.attempt, m, value, "running")) {
      a->time = now_wall;
      a->elapsed_s = elapsed_s;
      out.push_back(std::move(*a));
    }
  };
  if (auto a = check_runtime(s.task, s.attempt, s.elapsed_s, s.usage.cpu_s, s.reserved.cpus, s.oversubscription, "running")) {
    a->time = now_wall;
    a->elapsed_s = elapsed_s;
    out.push_back(std::move(*a));
  }
  add(Measure::cpu_time_s, s.usage.cpu_s);
  add(Measure::read_bytes, static_cast<double>(s.usage.read_bytes));
  add(Measure::write_bytes, static_cast<double>(s.usage.write_bytes));
  uint64_t& last = last_rss_[{s.task, s.attempt}];
  bool growing = last > 0 && s.usage.rss_bytes > last;
  last = s.usage.rss_bytes;
  if (growing) add(Measure::peak_rss_bytes, static_cast<double>(s.usage.rss_bytes));
  return out;
}

std::vector<Alert> Detector::finished(uint32_t task, int attempt, const run::AttemptResult& r, double now_wall,
                                      double elapsed_s) {
  last_rss_.erase({task, attempt});
  std::vector<Alert> out;
  if (r.status == "interrupted") return out;
  auto add = [&](Measure m, double value) {
    if (auto a = check(task, attempt, m, value, "finished")) {
      a->time = now_wall;
      a->elapsed_s = elapsed_s;
      a->status = r.status;
      out.push_back(std::move(*a));
    }
  };
  if (auto a = check_runtime(task, attempt, r.runtime_s, r.cpu_time_s, r.reserved.cpus, r.oversubscription(), "finished")) {
    a->time = now_wall;
    a->elapsed_s = elapsed_s;
    a->status = r.status;
    out.push_back(std::move(*a));
  }
  add(Measure::peak_rss_bytes, static_cast<double>(r.peak_rss_bytes));
  add(Measure::cpu_time_s, r.cpu_time_s);
  add(Measure::read_bytes, static_cast<double>(r.read_bytes));
  add(Measure::write_bytes, static_cast<double>(r.write_bytes));
  return out;
}

}  // namespace wf::alert
