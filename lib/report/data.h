#pragma once
// What a report shows, read out of the document into plain data (read.h), so the charts and the
// page never look at JSON. Every section is optional: an empty vector or an unset optional means
// the document did not have it, and the chart or table that needs it is left out.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace wf::report {

// How a measure's numbers read: cores, bytes, bytes per second, seconds.
enum class Unit { cpus, bytes, bytes_per_s, seconds };

// A step function: `value` holds from `t_s` until the next point's t_s (the last one until `end_s`
// of its series).
struct Step {
  double t_s = 0;
  double value = 0;
};

struct StepSeries {
  std::vector<Step> steps;  // ordered by t_s
  double end_s = 0;
  bool empty() const { return steps.empty(); }
  double max() const;
};

// One panel of the demand chart: the forecast band against what the run measured, and the capacity.
struct Panel {
  std::string title;  // "cpus", "memory", "I/O"
  Unit unit = Unit::cpus;
  StepSeries forecast_p50, forecast_p95;   // the prediction's reserved demand (I/O: its rate)
  StepSeries measured_reserved;            // what the run held
  StepSeries measured_used;                // what it used (cpus busy, RSS, bytes/s)
  std::optional<double> capacity;          // one level for the whole run
  std::string capacity_label;              // where it came from: "provisioned", "run capacity", ...
  StepSeries planned;                      // capacity over time from a cloud plan's items
};

struct Attempt {
  double start_s = 0;  // from the run's start
  double end_s = 0;
  bool failed = false;  // the attempt did not succeed
};

struct Bar {
  std::string id;
  uint32_t category = 0;          // index into ReportData::categories
  std::vector<Attempt> attempts;  // in order; the last is the outcome
  std::string status;
  bool critical = false;          // on the analysis' critical path
  std::vector<uint32_t> anomalies;  // indices into ReportData::anomalies
};

// measured / p50 of one measure of one task (run.tasks[].deviation).
struct Ratio {
  double measured = 0, p50 = 0;
  std::optional<double> p95;
  double ratio = 1;
  bool above_p95 = false;
};

struct Deviation {
  uint32_t task = 0;  // index into ReportData::bars
  std::optional<Ratio> runtime, mem;
  double score = 0;   // max |ln ratio| over runtime and memory
};

// run.anomalies[]: values kept as text, for they may be numbers or words.
struct Anomaly {
  std::string task, measure, value, expected, why;
};

// A labelled value of the plan-and-use tables; `note` is shown smaller beside it.
struct Fact {
  std::string label, value, note;
};

struct FactTable {
  std::string title;
  std::vector<Fact> facts;
  std::vector<std::string> header;             // an optional table of rows under the facts
  std::vector<std::vector<std::string>> rows;
  std::vector<std::string> notes;              // sentences under it
};

struct Category {
  std::string name;
  uint32_t tasks = 0;
  double busy_s = 0;  // summed attempt time (or planned durations): orders the palette
};

struct ReportData {
  std::string workflow;  // its name
  std::string run_id, status, started_at, finished_at;
  double elapsed_s = 0;
  size_t tasks = 0;
  size_t succeeded = 0, failed = 0, not_run = 0, retried = 0;
  bool has_run = false, has_prediction = false;
  std::optional<double> makespan_p50_s, makespan_p95_s;

  std::vector<Category> categories;  // heaviest first; ties by name

  std::vector<Panel> demand;         // cpus, memory, I/O: those with something to draw
  std::string usage_source;          // how the measured lines were obtained

  std::vector<Bar> bars;             // input order
  std::string bars_source;           // "run" or "analysis" (planned, unlimited capacity)
  bool starts_to_the_second = false;  // some attempts placed by started_at (no start_offset_s)
  double span_s = 0;                 // the time axis: 0 .. span_s (see read_report)
  double forecast_end_s = 0;         // where the forecast timeline ends (documents not run yet)

  std::vector<Deviation> deviations;  // furthest first; ties by task id
  std::vector<Anomaly> anomalies;     // document order
  std::vector<Fact> headline;         // the cards at the top of the page
  std::vector<std::string> sections;  // the document's sections this report was drawn from
  std::vector<FactTable> plan;        // provisioned, planned, forecast, used
};

}  // namespace wf::report
