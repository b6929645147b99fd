#pragma once
// The three charts, each a complete <svg> element (a file of its own, or inline in the page).
// Each needs its part of the data: demand (ReportData::demand), gantt (bars), deviation
// (deviations); the caller checks that it is there.
#include <string>

#include "report/data.h"

namespace wf::report {

// Stacked panels (cpus, memory, I/O) over the run's time: the forecast's p95 as a band and p50 as
// a line, the measured reserved and used lines, the capacity.
std::string demand_chart(const ReportData& data);

// The run over time: one row per task when there are few, one per slot (tasks at once) when they
// fit, else one row per category of how many ran at each moment; retries, failures, the critical
// path and anomalies marked.
std::string gantt_chart(const ReportData& data);

// Each task's measured / p50 runtime (x) against memory (y), on log scales; a density grid when
// there are too many tasks for dots. The furthest are named.
std::string deviation_chart(const ReportData& data);

}  // namespace wf::report
