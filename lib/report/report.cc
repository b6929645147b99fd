#include "report/report.h"

#include <algorithm>

#include "report/charts.h"
#include "report/read.h"
#include "util/error.h"

namespace wf::report {

std::optional<Chart> parse_chart(std::string_view name) {
  if (name == "demand") return Chart::demand;
  if (name == "gantt") return Chart::gantt;
  if (name == "deviation") return Chart::deviation;
  return std::nullopt;
}

ReportData read_report(const io::Document& doc) {
  ReportData data;
  for (const char* name : {"analysis", "prediction", "plan", "provision", "run", "reap"})
    if (doc.section(name)) data.sections.emplace_back(name);
  if (!doc.section("analysis") && !doc.section("prediction") && !doc.section("run"))
    fail(util::Exit::data, "the document has no analysis, prediction or run section: nothing to report (pipe it through wf-analyze, "
                           "wf-predict or wf-run first)");
  RunUse use;
  read_tasks(doc, data, use);
  read_demand(doc, use, data);
  read_plan(doc, use, data);
  // The time axis: what the run took, and at least the forecast's p50 makespan, so "slower or
  // faster than forecast" reads at a glance; a forecast's longer tail is cut at the edge (the
  // cards give its p95). Not run yet: the forecast up to its p95 makespan.
  if (data.has_run) data.span_s = std::max(data.span_s, data.makespan_p50_s.value_or(0));
  else data.span_s = std::max(data.span_s, data.makespan_p95_s.value_or(data.forecast_end_s));
  return data;
}

std::string render_svg(const ReportData& data, Chart chart) {
  switch (chart) {
    case Chart::demand:
      if (data.demand.empty()) fail(util::Exit::data, "the document has no forecast timeline and no run: no demand chart to draw");
      return demand_chart(data);
    case Chart::gantt:
      if (data.bars.empty()) fail(util::Exit::data, "the document has no run and no analysis with per-task timing: no Gantt chart to draw");
      return gantt_chart(data);
    case Chart::deviation:
      if (data.deviations.empty())
        fail(util::Exit::data, "the document's run has no deviations from a forecast (run wf-predict before wf-run): no deviation chart to draw");
      return deviation_chart(data);
  }
  return {};
}

}  // namespace wf::report
