#pragma once
// The shape of a sound workflow: levels, critical path, earliest start and slack of every task,
// total work, width per level, and the parallelism profile of the unlimited-capacity schedule
// (every task starts when its last parent ends).
#include <string>
#include <vector>

#include "io/json.h"
#include "model/dag.h"
#include "model/workflow.h"

namespace wf::analyze {

struct TaskTiming {
  uint32_t level = 0;
  double duration_s = 0;
  double earliest_start_s = 0;
  double latest_start_s = 0;
  double slack_s = 0;
};

// Demand at an instant of the unlimited-capacity schedule.
struct ProfilePoint {
  double t_s = 0;
  uint32_t tasks = 0;
  double cpus = 0;
  double mem_bytes = 0;
};

struct Analysis {
  size_t tasks = 0, edges = 0, roots = 0, leaves = 0, components = 0;
  std::vector<uint32_t> width_per_level;
  uint32_t max_width = 0;
  std::string durations;  // where durations came from: hints, recorded, mixed, or unit
  double critical_path_s = 0;
  std::vector<uint32_t> critical_path;  // task indices, first to last
  double total_work_s = 0;
  std::vector<TaskTiming> timing;  // per task, by index
  std::vector<ProfilePoint> profile;  // a step function: value holds from t_s to the next point
  ProfilePoint peak_tasks, peak_cpus, peak_mem;
  std::vector<std::string> warnings;
};

// A task's duration for analysis: its hint, else its recorded runtime; nullopt when neither.
std::optional<double> known_duration(const model::Task& t);
// The cpus and memory a task holds while it runs: hints, else recorded, else 1 cpu and 0 bytes.
double task_cpus(const model::Task& t);
double task_mem_bytes(const model::Task& t);

Analysis analyze(const model::Workflow& wf, const model::Dag& dag);

// The profile of a schedule given start and end times per task (shared with the simulator's
// truth computations): events swept in time order, ends before starts at the same instant.
std::vector<ProfilePoint> profile_of(const std::vector<double>& start, const std::vector<double>& end,
                                     const std::vector<double>& cpus, const std::vector<double>& mem);

// The `analysis` section. Profiles longer than `max_points` are bucketed (each bucket keeps
// its maximum), so the document stays small for huge workflows.
io::Json to_json(const Analysis& an, const model::Workflow& wf, io::Alloc& a, size_t max_points = 2000);

}  // namespace wf::analyze
