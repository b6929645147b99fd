#include "control/evidence.h"

#include <algorithm>
#include <cmath>
#include <map>

#include "predict/contention.h"

namespace wf::control {

Evidence::Evidence(const model::Workflow& wf, const model::Dag& dag, std::vector<predict::Estimate> estimates)
    : dag_(dag), estimates_(std::move(estimates)), category_(wf.tasks.size(), 0), now_(wf.tasks.size()) {
  std::map<std::string, uint32_t> index;
  for (const auto& t : wf.tasks) index.emplace(t.category.empty() ? t.id : t.category, 0);
  for (auto& [name, i] : index) {
    i = static_cast<uint32_t>(names_.size());
    names_.push_back(name);
  }
  for (size_t t = 0; t < wf.tasks.size(); ++t)
    category_[t] = index[wf.tasks[t].category.empty() ? wf.tasks[t].id : wf.tasks[t].category];
  by_category_.resize(names_.size());
}

void Evidence::started(uint32_t task) {
  TaskNow& n = now_[task];
  n.state = TaskState::running;
  n.elapsed_s = 0;
}

void Evidence::sampled(std::span<const run::LiveSample> live) {
  for (const auto& s : live) {
    TaskNow& n = now_[s.task];
    if (n.state != TaskState::running) continue;
    n.elapsed_s = predict::idle_runtime(s.elapsed_s, s.usage.cpu_s, s.reserved.cpus, s.oversubscription.value_or(1));
    n.peak_rss_bytes = std::max(n.peak_rss_bytes, static_cast<double>(s.peak_rss_bytes));
  }
}

void Evidence::finished(uint32_t task, const run::AttemptResult& result, bool will_retry) {
  TaskNow& n = now_[task];
  n.peak_rss_bytes = std::max(n.peak_rss_bytes, static_cast<double>(result.peak_rss_bytes));
  if (will_retry) {
    n.state = TaskState::pending;
    return;
  }
  if (result.status == "succeeded") {
    n.state = TaskState::done;
    n.runtime_s = predict::idle_runtime(result.runtime_s, result.cpu_time_s, result.reserved.cpus,
                                        result.oversubscription().value_or(1));
    ++finished_;
    return;
  }
  // A task that failed for good takes everything below it along: none of it will run.
  std::vector<uint32_t> stack{task};
  while (!stack.empty()) {
    uint32_t t = stack.back();
    stack.pop_back();
    if (now_[t].state == TaskState::gone) continue;
    if (now_[t].state == TaskState::done) --finished_;  // cannot happen below a failure; kept exact
    now_[t].state = TaskState::gone;
    ++gone_;
    for (uint32_t c : dag_.children(t)) stack.push_back(c);
  }
}

bool Evidence::runtime_told(uint32_t t) const {
  const TaskNow& n = now_[t];
  double p50 = estimates_[t].runtime_s.p50;
  if (p50 <= 0) return false;
  return (n.state == TaskState::done && n.runtime_s > 0) || (n.state == TaskState::running && n.elapsed_s > p50);
}

bool Evidence::mem_told(uint32_t t) const {
  const TaskNow& n = now_[t];
  double p50 = estimates_[t].mem_bytes.p50;
  if (p50 <= 0 || n.peak_rss_bytes <= 0) return false;
  return n.state == TaskState::done || (n.state == TaskState::running && n.peak_rss_bytes > p50);
}

void Evidence::add(Sums& s, uint32_t t) const {
  const TaskNow& n = now_[t];
  if (runtime_told(t)) {
    double measured = n.state == TaskState::done ? n.runtime_s : n.elapsed_s;
    s.log_runtime += std::log(measured / estimates_[t].runtime_s.p50);
    ++s.runtime_n;
  }
  if (mem_told(t)) {
    s.log_mem += std::log(n.peak_rss_bytes / estimates_[t].mem_bytes.p50);
    ++s.mem_n;
  }
}

void Evidence::refresh() {
  std::vector<Sums> cats(names_.size());
  Sums all;
  for (uint32_t t = 0; t < now_.size(); ++t) {
    add(cats[category_[t]], t);
    add(all, t);
  }
  auto ratio = [](const Sums& s) {
    Ratio r;
    r.runtime_n = s.runtime_n;
    r.mem_n = s.mem_n;
    if (s.runtime_n) r.runtime = std::exp(s.log_runtime / static_cast<double>(s.runtime_n));
    if (s.mem_n) r.mem = std::exp(s.log_mem / static_cast<double>(s.mem_n));
    return r;
  };
  for (size_t c = 0; c < cats.size(); ++c) by_category_[c] = ratio(cats[c]);
  overall_ = ratio(all);
}

Ratio Evidence::ratio_for(uint32_t task, size_t category_evidence) const {
  const Ratio& c = by_category_[category_[task]];
  Ratio r = overall_;
  if (c.runtime_n >= category_evidence) {
    r.runtime = c.runtime;
    r.runtime_n = c.runtime_n;
  }
  if (c.mem_n >= category_evidence) {
    r.mem = c.mem;
    r.mem_n = c.mem_n;
  }
  return r;
}

std::vector<std::pair<std::string, Ratio>> Evidence::categories() const {
  std::vector<std::pair<std::string, Ratio>> out;
  for (size_t c = 0; c < names_.size(); ++c)
    if (by_category_[c].runtime_n || by_category_[c].mem_n) out.emplace_back(names_[c], by_category_[c]);
  return out;
}

size_t Evidence::evidence() const {
  size_t n = 0;
  for (uint32_t t = 0; t < now_.size(); ++t) n += runtime_told(t) || mem_told(t);
  return n;
}

size_t Evidence::overdue(size_t category_evidence) const {
  size_t n = 0;
  for (uint32_t t = 0; t < now_.size(); ++t) {
    const TaskNow& s = now_[t];
    double p50 = estimates_[t].runtime_s.p50;
    if (s.state == TaskState::running && p50 > 0 && s.elapsed_s > 1.1 * p50 * ratio_for(t, category_evidence).runtime) ++n;
  }
  return n;
}

size_t Evidence::above_p95() const {
  size_t n = 0;
  for (uint32_t t = 0; t < now_.size(); ++t) {
    const TaskNow& s = now_[t];
    const auto& e = estimates_[t];
    double runtime = s.state == TaskState::done ? s.runtime_s : s.state == TaskState::running ? s.elapsed_s : 0;
    bool slow = e.runtime_s.p95 > 0 && runtime > e.runtime_s.p95;
    bool big = e.mem_bytes.p95 > 0 && s.peak_rss_bytes > e.mem_bytes.p95;
    n += slow || big;
  }
  return n;
}

}  // namespace wf::control
