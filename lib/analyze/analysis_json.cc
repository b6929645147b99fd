// The `analysis` section of the document (man wf(7)).
#include <algorithm>
#include <cmath>

#include "analyze/analysis.h"
#include "io/builder.h"

namespace wf::analyze {
namespace {

using io::Json;

void point_json(io::Builder& b, const ProfilePoint& p) {
  b.begin_object();
  b.key("t_s");
  b.number(p.t_s);
  b.key("tasks");
  b.uint(p.tasks);
  b.key("cpus");
  b.number(p.cpus);
  b.key("mem_bytes");
  b.number(p.mem_bytes);
  b.end_object();
}

// One entry of per_task; a million of them is the bulk of the section.
void timing_json(io::Builder& b, const TaskTiming& tt, const std::string& id) {
  b.begin_object();
  b.key("id");
  b.string(id);
  b.key("level");
  b.uint(tt.level);
  b.key("duration_s");
  b.number(tt.duration_s);
  b.key("earliest_start_s");
  b.number(tt.earliest_start_s);
  b.key("slack_s");
  b.number(tt.slack_s);
  b.end_object();
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

// Built with io::Builder: every mapping and list at its exact size.
Json to_json(const Analysis& an, const model::Workflow& wf, io::Alloc& a, size_t max_points) {
  auto points = bucketed(an.profile, max_points);
  return io::build(a, [&](io::Builder& b) {
    b.begin_object();
    b.key("tasks"), b.uint(an.tasks);
    b.key("edges"), b.uint(an.edges);
    b.key("roots"), b.uint(an.roots);
    b.key("leaves"), b.uint(an.leaves);
    b.key("components"), b.uint(an.components);
    b.key("levels"), b.uint(an.width_per_level.size());
    b.key("width");
    b.begin_object();
    b.key("max"), b.uint(an.max_width);
    b.key("per_level");
    b.begin_array();
    for (uint32_t w : an.width_per_level) b.uint(w);
    b.end_array();
    b.end_object();
    b.key("durations"), b.string(an.durations);
    b.key("critical_path");
    b.begin_object();
    b.key("length_s"), b.number(an.critical_path_s);
    b.key("tasks");
    b.begin_array();
    for (uint32_t t : an.critical_path) b.string(wf.tasks[t].id);
    b.end_array();
    b.end_object();
    b.key("total_work_s"), b.number(an.total_work_s);
    b.key("average_parallelism"), b.number(an.critical_path_s > 0 ? an.total_work_s / an.critical_path_s : 0);

    b.key("parallelism");
    b.begin_object();
    b.key("schedule"), b.string("unlimited capacity: every task starts when its last parent ends");
    b.key("peak");
    b.begin_object();
    b.key("tasks"), point_json(b, an.peak_tasks);
    b.key("cpus"), point_json(b, an.peak_cpus);
    b.key("mem"), point_json(b, an.peak_mem);
    b.end_object();
    b.key("bucketed"), b.boolean(points.size() != an.profile.size());
    b.key("steps");
    b.begin_array();
    for (const auto& p : points) point_json(b, p);
    b.end_array();
    b.end_object();

    b.key("per_task");
    b.begin_array();
    for (size_t i = 0; i < an.timing.size(); ++i) timing_json(b, an.timing[i], wf.tasks[i].id);
    b.end_array();
    b.key("warnings");
    b.begin_array();
    for (const auto& w : an.warnings) b.string(w);
    b.end_array();
    b.end_object();
  });
}

}  // namespace wf::analyze
