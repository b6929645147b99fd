#pragma once
// wf-report's library: the document of a run (and of its forecast, plan and provision) drawn for
// people. read_report() takes what there is out of the document; render_html() writes one
// self-contained page (inline CSS and SVG: no script, nothing fetched to view it), render_svg()
// one chart alone. Output is deterministic: the same document gives the same bytes (times are the
// run's own, never "now"), and it stays small however many tasks the run had (time is bucketed,
// rows collapsed, tables capped).
#include <optional>
#include <string>
#include <string_view>

#include "io/document.h"
#include "report/data.h"

namespace wf::report {

enum class Chart { demand, gantt, deviation };
std::optional<Chart> parse_chart(std::string_view name);

// What the document holds, for the page. Throws wf::Error (exit 65) when it has nothing to draw:
// no prediction, no run and no analysis.
ReportData read_report(const io::Document& doc);

struct PageOptions {
  std::string generator = "wf-report";  // named in the page's footer
};

std::string render_html(const ReportData& data, const PageOptions& options = {});

// One chart as a standalone SVG file. Throws wf::Error (exit 65) when the document lacks what the
// chart draws (a Gantt chart without run or analysis, deviations without a run against a forecast).
std::string render_svg(const ReportData& data, Chart chart);

}  // namespace wf::report
