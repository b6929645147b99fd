#pragma once
// The parts of read_report(), one per kind of section. Internal to the module.
#include <vector>

#include "io/document.h"
#include "report/data.h"
#include "report/steps.h"

namespace wf::report {

// At most this many steps per series, whatever the run's length: the chart is ~1000 px wide.
inline constexpr size_t kMaxSteps = 600;

// What every attempt of the run held and used, for usage rebuilt from the tasks (documents
// without run.usage) and for the totals of the plan-and-use table.
struct RunUse {
  std::vector<Interval> reserved_cpus, used_cpus, reserved_mem, rss, io;
  double cpu_s = 0;           // CPU time of every attempt
  double reserved_cpu_s = 0;  // cores held × seconds, every attempt
};

// Header, categories, bars (run, else analysis), deviations and anomalies. Fills `use`.
void read_tasks(const io::Document& doc, ReportData& data, RunUse& use);

// The demand panels: the forecast, the measured usage (run.usage, else rebuilt from `use`), the capacity.
void read_demand(const io::Document& doc, const RunUse& use, ReportData& data);

// The headline cards and the plan-and-use tables.
void read_plan(const io::Document& doc, const RunUse& use, ReportData& data);

// Numbers inside the document, 0 (or nullopt) when absent.
double number_at(const io::Json* obj, std::string_view key);
double band_at(const io::Json* obj, std::string_view key, std::string_view quantile);

}  // namespace wf::report
