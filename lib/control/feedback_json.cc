#include "control/feedback_json.h"

#include <cmath>

namespace wf::control {
namespace {

using io::Json;

double round3(double v) { return std::round(v * 1000) / 1000; }

Json capacity_json(const schedule::Capacity& c, io::Alloc& a) {
  Json o(rapidjson::kObjectType);
  o.AddMember("cpus", io::number(c.cpus), a);
  o.AddMember("mem_bytes", io::number(c.mem_bytes), a);
  return o;
}

Json ratio_json(const Ratio& r, io::Alloc& a) {
  Json o(rapidjson::kObjectType);
  o.AddMember("runtime", io::number(round3(r.runtime)), a);
  o.AddMember("runtime_n", static_cast<uint64_t>(r.runtime_n), a);
  o.AddMember("mem", io::number(round3(r.mem)), a);
  o.AddMember("mem_n", static_cast<uint64_t>(r.mem_n), a);
  return o;
}

Json decision_json(const Decision& d, io::Alloc& a) {
  Json o(rapidjson::kObjectType);
  o.AddMember("t_s", io::number(round3(d.t_s)), a);
  o.AddMember("action", io::str(d.action, a), a);
  o.AddMember("outcome", io::str(d.outcome, a), a);
  o.AddMember("reason", io::str(d.reason, a), a);
  o.AddMember("ratio", ratio_json(d.ratio, a), a);
  o.AddMember("evidence", static_cast<uint64_t>(d.evidence), a);
  o.AddMember("above_p95", static_cast<uint64_t>(d.above_p95), a);
  o.AddMember("plan_remaining_s", io::number(round3(d.plan_remaining_s)), a);
  o.AddMember("remaining_now_s", io::number(round3(d.remaining_now_s)), a);
  o.AddMember("remaining_target_s", io::number(round3(d.remaining_target_s)), a);
  o.AddMember("from", capacity_json(d.from, a), a);
  o.AddMember("to", capacity_json(d.to, a), a);
  if (d.granted) o.AddMember("granted", capacity_json(*d.granted, a), a);
  if (!d.error.empty()) o.AddMember("error", io::str(d.error, a), a);
  return o;
}

}  // namespace

Json feedback_to_json(const FeedbackSummary& s, io::Alloc& a) {
  Json o(rapidjson::kObjectType);
  o.AddMember("mode", io::str(to_string(s.mode), a), a);
  Json policy(rapidjson::kObjectType);
  policy.AddMember("threshold", io::number(s.policy.threshold), a);
  policy.AddMember("check_interval_s", io::number(s.policy.check_interval_s), a);
  policy.AddMember("min_interval_s", io::number(s.policy.min_interval_s), a);
  policy.AddMember("confirmations", s.policy.confirmations, a);
  policy.AddMember("min_evidence", static_cast<uint64_t>(s.policy.min_evidence), a);
  policy.AddMember("max", capacity_json(s.policy.max, a), a);
  o.AddMember("policy", policy, a);
  if (!s.resizes.empty()) o.AddMember("resizes", io::str(s.resizes, a), a);
  o.AddMember("planned_makespan_s", io::number(round3(s.planned_makespan_s)), a);
  o.AddMember("checks", static_cast<uint64_t>(s.checks), a);
  o.AddMember("ratio", ratio_json(s.ratio, a), a);
  Json cats(rapidjson::kObjectType);
  for (const auto& [name, r] : s.categories) cats.AddMember(io::str(name, a), ratio_json(r, a), a);
  o.AddMember("categories", cats, a);
  o.AddMember("evidence", static_cast<uint64_t>(s.evidence), a);
  o.AddMember("above_p95", static_cast<uint64_t>(s.above_p95), a);
  o.AddMember("initial", capacity_json(s.initial, a), a);
  o.AddMember("final", capacity_json(s.final_capacity, a), a);
  Json held(rapidjson::kObjectType);
  held.AddMember("cpu_hours", io::number(std::round(s.cpu_s / 3600 * 1e6) / 1e6), a);
  held.AddMember("mem_gib_hours", io::number(std::round(s.mem_byte_s / 3600 / (1ull << 30) * 1e6) / 1e6), a);
  o.AddMember("capacity_held", held, a);
  Json decisions(rapidjson::kArrayType);
  for (const auto& d : s.decisions) decisions.PushBack(decision_json(d, a), a);
  o.AddMember("decisions", decisions, a);
  return o;
}

}  // namespace wf::control
