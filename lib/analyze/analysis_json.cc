// The `analysis` section of the document (man wf(7)).
#include <algorithm>
#include <cmath>

#include "analyze/analysis.h"

namespace wf::analyze {
namespace {

using io::Json;

Json point_json(const ProfilePoint& p, io::Alloc& a) {
  Json o(rapidjson::kObjectType);
  o.AddMember("t_s", io::number(p.t_s), a);
  o.AddMember("tasks", Json(p.tasks), a);
  o.AddMember("cpus", io::number(p.cpus), a);
  o.AddMember("mem_bytes", io::number(p.mem_bytes), a);
  return o;
}

// At most `max_points` points: equal time buckets, each keeping the maximum of every measure
// (a peak is never averaged away).
std::vector<ProfilePoint> bucketed(const std::vector<ProfilePoint>& profile, size_t max_points) {
  if (profile.size() <= max_points || profile.size() < 2) return profile;
  double t0 = profile.front().t_s, t1 = profile.back().t_s;
  double width = (t1 - t0) / static_cast<double>(max_points - 1);
  std::vector<ProfilePoint> out;
  for (const auto& p : profile) {
    double t = width > 0 ? t0 + width * std::floor((p.t_s - t0) / width) : t0;
    if (out.empty() || out.back().t_s != t) {
      ProfilePoint b = p;
      b.t_s = t;
      out.push_back(b);
    } else {
      auto& b = out.back();
      b.tasks = std::max(b.tasks, p.tasks);
      b.cpus = std::max(b.cpus, p.cpus);
      b.mem_bytes = std::max(b.mem_bytes, p.mem_bytes);
    }
  }
  return out;
}

}  // namespace

Json to_json(const Analysis& an, const model::Workflow& wf, io::Alloc& a, size_t max_points) {
  Json o(rapidjson::kObjectType);
  o.AddMember("tasks", Json(static_cast<uint64_t>(an.tasks)), a);
  o.AddMember("edges", Json(static_cast<uint64_t>(an.edges)), a);
  o.AddMember("roots", Json(static_cast<uint64_t>(an.roots)), a);
  o.AddMember("leaves", Json(static_cast<uint64_t>(an.leaves)), a);
  o.AddMember("components", Json(static_cast<uint64_t>(an.components)), a);
  o.AddMember("levels", Json(static_cast<uint64_t>(an.width_per_level.size())), a);
  Json width(rapidjson::kObjectType), per_level(rapidjson::kArrayType);
  for (uint32_t w : an.width_per_level) per_level.PushBack(Json(w), a);
  width.AddMember("max", Json(an.max_width), a);
  width.AddMember("per_level", per_level, a);
  o.AddMember("width", width, a);
  o.AddMember("durations", io::str(an.durations, a), a);
  Json cp(rapidjson::kObjectType), path(rapidjson::kArrayType);
  for (uint32_t t : an.critical_path) path.PushBack(io::str(wf.tasks[t].id, a), a);
  cp.AddMember("length_s", io::number(an.critical_path_s), a);
  cp.AddMember("tasks", path, a);
  o.AddMember("critical_path", cp, a);
  o.AddMember("total_work_s", io::number(an.total_work_s), a);
  o.AddMember("average_parallelism", io::number(an.critical_path_s > 0 ? an.total_work_s / an.critical_path_s : 0), a);

  Json profile(rapidjson::kObjectType), peak(rapidjson::kObjectType), steps(rapidjson::kArrayType);
  peak.AddMember("tasks", point_json(an.peak_tasks, a), a);
  peak.AddMember("cpus", point_json(an.peak_cpus, a), a);
  peak.AddMember("mem", point_json(an.peak_mem, a), a);
  auto points = bucketed(an.profile, max_points);
  for (const auto& p : points) steps.PushBack(point_json(p, a), a);
  profile.AddMember("schedule", "unlimited capacity: every task starts when its last parent ends", a);
  profile.AddMember("peak", peak, a);
  profile.AddMember("bucketed", Json(points.size() != an.profile.size()), a);
  profile.AddMember("steps", steps, a);
  o.AddMember("parallelism", profile, a);

  Json per_task(rapidjson::kArrayType);
  per_task.Reserve(static_cast<rapidjson::SizeType>(an.timing.size()), a);
  for (size_t i = 0; i < an.timing.size(); ++i) {
    const auto& tt = an.timing[i];
    Json t(rapidjson::kObjectType);
    t.AddMember("id", io::str(wf.tasks[i].id, a), a);
    t.AddMember("level", Json(tt.level), a);
    t.AddMember("duration_s", io::number(tt.duration_s), a);
    t.AddMember("earliest_start_s", io::number(tt.earliest_start_s), a);
    t.AddMember("slack_s", io::number(tt.slack_s), a);
    per_task.PushBack(t, a);
  }
  o.AddMember("per_task", per_task, a);
  Json warnings(rapidjson::kArrayType);
  for (const auto& w : an.warnings) warnings.PushBack(io::str(w, a), a);
  o.AddMember("warnings", warnings, a);
  return o;
}

}  // namespace wf::analyze
