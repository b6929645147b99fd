#include "control/feedback.h"

#include <algorithm>
#include <cmath>

#include "model/units.h"
#include "util/log.h"
#include "util/strings.h"

namespace wf::control {
namespace {

std::string capacity_text(const schedule::Capacity& c) {
  return fmt::format("{} cpus, {}", util::format_number(c.cpus), model::format_bytes(c.mem_bytes));
}

// Beyond the dead band, relative to what is held.
bool beyond(double target, double held, double threshold) {
  if (held <= 0) return target > 0;
  return std::abs(target - held) > threshold * held;
}

// The categories furthest from their forecast, at most two: "work 1.62x time 2.00x memory".
std::string deviant(const Evidence& e) {
  auto cats = e.categories();
  auto distance = [](const Ratio& r) { return std::abs(std::log(r.runtime)) + std::abs(std::log(r.mem)); };
  std::stable_sort(cats.begin(), cats.end(), [&](const auto& a, const auto& b) { return distance(a.second) > distance(b.second); });
  std::string out;
  for (size_t i = 0; i < cats.size() && i < 2; ++i)
    out += fmt::format("{}{} {:.2f}x time {:.2f}x memory", i ? ", " : "", cats[i].first, cats[i].second.runtime, cats[i].second.mem);
  return out;
}

}  // namespace

Feedback::Feedback(const model::Workflow& wf, const model::Dag& dag, std::vector<schedule::TaskInfo> info,
                   std::vector<predict::Estimate> estimates, schedule::Capacity initial, Mode mode, Policy policy,
                   Resizer* resizer, run::Events& events)
    : dag_(dag), info_(std::move(info)), evidence_(wf, dag, std::move(estimates)), resizer_(resizer), events_(events),
      held_(initial) {
  summary_.mode = mode;
  summary_.policy = policy;
  if (resizer_) summary_.resizes = resizer_->what();
  summary_.initial = summary_.final_capacity = initial;
  summary_.planned_makespan_s = planned_makespan(dag_, info_, evidence_, policy, initial);
}

void Feedback::started(uint32_t task, int, const schedule::Demand&, double) { evidence_.started(task); }

void Feedback::finished(uint32_t task, int, const run::AttemptResult& result, bool will_retry, double) {
  evidence_.finished(task, result, will_retry);
}

void Feedback::sampled(const run::RunState& state, std::span<const run::LiveSample> live) {
  integrate(state.now_s);
  evidence_.sampled(live);
  if (resizer_ && in_flight_)
    if (auto g = resizer_->poll()) answered(*g, state.now_s);
  release_when_fits(state);
  if (state.now_s - last_check_s_ >= summary_.policy.check_interval_s) check(state);
}

std::optional<schedule::Capacity> Feedback::capacity(const run::RunState&) {
  std::optional<schedule::Capacity> out;
  out.swap(next_);
  return out;
}

void Feedback::ended(const std::string&, double now_s) {
  integrate(now_s);
  if (resizer_ && in_flight_) {
    resizer_->wait();
    if (auto g = resizer_->poll()) answered(*g, now_s);
  }
  evidence_.refresh();
  summary_.ratio = evidence_.overall();
  summary_.categories = evidence_.categories();
  summary_.evidence = evidence_.evidence();
  summary_.above_p95 = evidence_.above_p95();
  summary_.final_capacity = held_;
}

void Feedback::integrate(double now_s) {
  double dt = std::max(0.0, now_s - last_t_s_);
  summary_.cpu_s += held_.cpus * dt;
  summary_.mem_byte_s += held_.mem_bytes * dt;
  last_t_s_ = std::max(last_t_s_, now_s);
}

void Feedback::check(const run::RunState& state) {
  last_check_s_ = state.now_s;
  ++summary_.checks;
  std::optional<Decision> d = decide(state);
  if (!d) {
    streak_ = 0;
    streak_action_.clear();
    return;
  }
  streak_ = d->action == streak_action_ ? streak_ + 1 : 1;
  streak_action_ = d->action;
  const Policy& p = summary_.policy;
  if (streak_ < p.confirmations || state.now_s - last_decision_s_ < p.min_interval_s) return;
  if (in_flight_ || release_) return;  // the last decision is still being carried out
  act(std::move(*d), state);
}

std::optional<Decision> Feedback::decide(const run::RunState& state) {
  const Policy& p = summary_.policy;
  evidence_.refresh();
  size_t evidence = evidence_.evidence();
  if (evidence < p.min_evidence || evidence_.finished() + evidence_.gone() >= evidence_.size()) return std::nullopt;
  double plan_remaining = std::max(0.0, summary_.planned_makespan_s - state.now_s);
  const schedule::Capacity& cur = state.capacity;
  Target t = target(dag_, info_, evidence_, p, cur, plan_remaining);
  bool cpus = beyond(t.capacity.cpus, cur.cpus, p.threshold);
  bool mem = beyond(t.capacity.mem_bytes, cur.mem_bytes, p.threshold);
  if (!cpus && !mem) return std::nullopt;
  Decision d;
  d.t_s = state.now_s;
  d.action = (cpus && t.capacity.cpus > cur.cpus) || (mem && t.capacity.mem_bytes > cur.mem_bytes) ? "grow" : "shrink";
  // No shrink while tasks still run past what the evidence expects of them: the ratio is then a
  // lower bound, and the rest may need more, not less.
  if (d.action == "shrink" && evidence_.overdue(p.category_evidence) > 0) return std::nullopt;
  d.ratio = evidence_.overall();
  d.evidence = evidence;
  d.above_p95 = evidence_.above_p95();
  d.plan_remaining_s = plan_remaining;
  d.remaining_now_s = t.remaining_now_s;
  d.remaining_target_s = t.remaining_target_s;
  d.from = cur;
  d.to = {cpus ? t.capacity.cpus : cur.cpus, mem ? t.capacity.mem_bytes : cur.mem_bytes};
  d.reason = fmt::format(
      "measured/forecast {} ({} tasks, {} above p95); the rest ends in {} under {} (plan: {}), in {} under {}",
      deviant(evidence_), evidence, d.above_p95, model::format_duration(t.remaining_now_s), capacity_text(cur),
      model::format_duration(plan_remaining), model::format_duration(t.remaining_target_s), capacity_text(d.to));
  return d;
}

void Feedback::act(Decision d, const run::RunState& state) {
  last_decision_s_ = state.now_s;
  streak_ = 0;
  streak_action_.clear();
  if (summary_.mode == Mode::observe) {
    d.outcome = "observed";
  } else if (!resizer_) {
    d.outcome = "applied";
    next_ = d.to;
    held_ = d.to;
  } else if (d.action == "grow") {
    d.outcome = "requested";
    resizer_->request(d.to);
    in_flight_ = true;
  } else {
    d.outcome = "requested";  // sent to the provider once the running attempts fit
    next_ = d.to;
    release_ = d.to;
  }
  in_flight_decision_ = summary_.decisions.size();
  util::note("feedback: {} to {} ({}): {}", d.action, capacity_text(d.to), d.outcome, d.reason);
  emit(d, "decision");
  summary_.decisions.push_back(std::move(d));
  release_when_fits(state);
}

void Feedback::release_when_fits(const run::RunState& state) {
  if (!release_ || in_flight_ || !resizer_) return;
  if (state.held.cpus > release_->cpus + 1e-9 || state.held.mem_bytes > release_->mem_bytes + 0.5) return;
  resizer_->request(*release_);
  in_flight_ = true;
  release_.reset();
}

void Feedback::answered(const Grant& g, double now_s) {
  in_flight_ = false;
  integrate(now_s);
  Decision& d = summary_.decisions[in_flight_decision_];
  if (g.ok) {
    d.outcome = "granted";
    d.granted = g.granted;
    held_ = g.granted;
    // A grow is scheduled into once it is held; a shrink already was.
    if (d.action == "grow") next_ = g.granted;
    util::note("feedback: {} now holds {} (after {:.2f} s)", summary_.resizes, capacity_text(g.granted), g.took_s);
  } else {
    d.outcome = "refused";
    d.error = g.error;
    util::warn("feedback: cannot {} {}: {}", d.action, summary_.resizes, g.error);
  }
  emit(d, "answer");
}

void Feedback::emit(const Decision& d, const char* phase) {
  events_.emit("feedback", [&](io::Json& o, io::Alloc& a) {
    o.AddMember("phase", io::str(phase, a), a);
    o.AddMember("action", io::str(d.action, a), a);
    o.AddMember("outcome", io::str(d.outcome, a), a);
    o.AddMember("mode", io::str(to_string(summary_.mode), a), a);
    o.AddMember("reason", io::str(d.reason, a), a);
    o.AddMember("runtime_ratio", io::number(std::round(d.ratio.runtime * 1000) / 1000), a);
    o.AddMember("mem_ratio", io::number(std::round(d.ratio.mem * 1000) / 1000), a);
    o.AddMember("evidence", static_cast<uint64_t>(d.evidence), a);
    o.AddMember("above_p95", static_cast<uint64_t>(d.above_p95), a);
    o.AddMember("plan_remaining_s", io::number(std::round(d.plan_remaining_s * 1000) / 1000), a);
    o.AddMember("remaining_now_s", io::number(std::round(d.remaining_now_s * 1000) / 1000), a);
    o.AddMember("remaining_target_s", io::number(std::round(d.remaining_target_s * 1000) / 1000), a);
    o.AddMember("from_cpus", io::number(d.from.cpus), a);
    o.AddMember("from_mem_bytes", io::number(d.from.mem_bytes), a);
    o.AddMember("to_cpus", io::number(d.to.cpus), a);
    o.AddMember("to_mem_bytes", io::number(d.to.mem_bytes), a);
    if (d.granted) {
      o.AddMember("granted_cpus", io::number(d.granted->cpus), a);
      o.AddMember("granted_mem_bytes", io::number(d.granted->mem_bytes), a);
    }
    if (!d.error.empty()) o.AddMember("error", io::str(d.error, a), a);
  });
}

}  // namespace wf::control
