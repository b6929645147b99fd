#pragma once
// The Gantt chart's layouts (internal to the module). The chart picks one by the run's size:
//   tasks       one row per task (at most kMaxTaskRows tasks), labelled with its id;
//   slots       one row per slot, tasks packed into the fewest rows that never overlap (at most
//               kMaxSlotAttempts attempts in at most kMaxSlots rows), every attempt a bar;
//   categories  one row per category, its height at each moment how many of its tasks ran
//               (time in kDensityBuckets buckets), plus rows for the critical path, failed
//               attempts and anomalies. Its size does not grow with the number of tasks.
#include <string>
#include <vector>

#include "report/data.h"
#include "report/frame.h"

namespace wf::report {

inline constexpr size_t kMaxTaskRows = 50;
inline constexpr size_t kMaxSlotAttempts = 2000;
inline constexpr size_t kMaxSlots = 100;
inline constexpr size_t kDensityBuckets = 500;
inline constexpr size_t kMaxCategoryRows = 12;

enum class GanttMode { tasks, slots, categories };

// An attempt of a bar, in start order (ties: bar, then attempt).
struct Placed {
  uint32_t bar = 0, attempt = 0;
  uint32_t row = 0;
};

struct GanttLayout {
  GanttMode mode = GanttMode::tasks;
  std::vector<Placed> placed;  // tasks and slots modes
  size_t rows = 0;
};

GanttLayout gantt_layout(const ReportData& data);

// Draws the rows of a categories layout from y = top; returns the height used.
double draw_density(std::string& out, const ReportData& data, const TimeAxis& tx, double top);

// "extract-eu (extract) · attempt 2 of 2 · +3s → +5.2s (2.2s) · critical path · anomaly: ..."
std::string attempt_title(const ReportData& data, const Bar& bar, size_t attempt);

}  // namespace wf::report
