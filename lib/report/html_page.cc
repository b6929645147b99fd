// The page: one HTML file with inline CSS and the charts as inline SVG. No script, no font or
// image fetched: it opens the same offline, in a mail attachment or a CI artifact.
#include <iterator>

#include <fmt/format.h>

#include "report/charts.h"
#include "report/gantt.h"
#include "report/html.h"
#include "report/report.h"
#include "report/svg.h"

namespace wf::report {
namespace {

constexpr const char* kStyle = R"(
body{font:14px/1.45 "DejaVu Sans",Helvetica,Arial,sans-serif;color:#222;background:#f3f4f6;margin:0}
main{max-width:1040px;margin:0 auto;padding:20px 16px 32px}
h1{font-size:24px;margin:0 0 2px}
h2{font-size:17px;margin:0 0 4px}
h3{font-size:14px;margin:0 0 6px}
.sub{color:#555;margin:0}
.ok{color:#2e7d32;font-weight:600}.bad{color:#c62828;font-weight:600}
.cards{display:grid;grid-template-columns:repeat(auto-fill,minmax(180px,1fr));gap:10px;margin:16px 0}
.card{background:#fff;border:1px solid #dcdfe4;border-radius:6px;padding:8px 12px}
.card .label{font-size:11px;color:#666;text-transform:uppercase;letter-spacing:.05em}
.card .value{font-size:21px;font-weight:600;margin:1px 0}
.card .note{font-size:12px;color:#555}
section{background:#fff;border:1px solid #dcdfe4;border-radius:6px;padding:12px 16px;margin:14px 0}
p.note{color:#555;font-size:13px;margin:2px 0 10px}
svg{max-width:100%;height:auto;display:block;margin:4px 0 8px}
table{border-collapse:collapse;width:100%;font-size:13px;margin:4px 0 8px}
th,td{padding:3px 8px;border-bottom:1px solid #eceef1;text-align:left;vertical-align:top}
th{font-weight:600;color:#444;background:#f8f9fa}
.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
td.above{color:#c62828;font-weight:600}
.swatch{display:inline-block;width:10px;height:10px;border-radius:2px;margin-right:6px}
.facts{display:grid;grid-template-columns:repeat(auto-fit,minmax(320px,1fr));gap:12px 24px}
.fact.wide{grid-column:1/-1}
.fact td:first-child{color:#555;width:34%}
table.rows td:not(:last-child){white-space:nowrap}
.small{color:#666;font-size:12px}
ul.why{margin:4px 0 0 18px;padding:0;color:#555;font-size:12.5px}
code{font-size:12px;background:#f1f2f4;padding:0 3px;border-radius:3px}
footer{color:#888;font-size:12px;text-align:center;margin-top:18px}
)";

void header(std::string& out, const ReportData& d) {
  auto o = std::back_inserter(out);
  fmt::format_to(o, "<header>\n<h1>{}</h1>\n<p class=\"sub\">", escape(d.workflow.empty() ? "workflow" : d.workflow));
  if (d.has_run) {
    const char* cls = d.status == "succeeded" ? "ok" : "bad";
    fmt::format_to(o, "run <b>{}</b> · <span class=\"{}\">{}</span> · {} → {} · {} tasks", escape(d.run_id), cls, escape(d.status),
                   escape(d.started_at), escape(d.finished_at), grouped(d.tasks));
  } else {
    fmt::format_to(o, "forecast, not run yet · {} tasks", grouped(d.tasks));
  }
  out += "</p>\n</header>\n";
  if (d.headline.empty()) return;
  out += "<div class=\"cards\">\n";
  for (const auto& f : d.headline)
    fmt::format_to(o, "<div class=\"card\"><div class=\"label\">{}</div><div class=\"value\">{}</div><div class=\"note\">{}</div></div>\n",
                   escape(f.label), escape(f.value), escape(f.note));
  out += "</div>\n";
}

void demand_section(std::string& out, const ReportData& d) {
  auto o = std::back_inserter(out);
  out += "<section id=\"demand\">\n<h2>Demand over time</h2>\n<p class=\"note\">";
  if (d.has_prediction) out += "The forecast's reserved demand (p50 line, p95 band) ";
  if (d.has_prediction && d.has_run) out += "against ";
  if (d.has_run) fmt::format_to(o, "what the run reserved and used ({})", escape(d.usage_source));
  out += ". Each step is the highest value within its slice of time, so no peak is smoothed away. The time axis is the timeline's";
  out += d.has_run ? ": the run, and at least the forecast's p50 makespan.</p>\n" : ": up to the forecast's p95 makespan.</p>\n";
  out += demand_chart(d);
  out += "</section>\n";
}

void timeline_section(std::string& out, const ReportData& d) {
  auto o = std::back_inserter(out);
  static constexpr const char* kHow[] = {
      "One row per task, in the order they started; a task's earlier attempts are drawn faded in its row, with ×N after it.",
      "One row per slot: tasks packed into as few rows as never overlap, so the number of rows is the most that ran at once. "
      "Hover a bar for the task.",
      "Too many tasks for a bar each: one row per category, its height at each moment how many of its tasks ran "
      "(scaled to the row's own maximum), with the critical path, failed attempts and anomalies in rows of their own."};
  fmt::format_to(o, "<section id=\"timeline\">\n<h2>{}</h2>\n<p class=\"note\">{}{}</p>\n",
                 d.bars_source == "run" ? "Timeline of the run" : "Planned timeline",
                 d.bars_source == "run" ? "" : "From the analysis: every task starts when its last parent ends (unlimited capacity). ",
                 kHow[static_cast<int>(gantt_layout(d).mode)]);
  if (d.starts_to_the_second)
    out += "<p class=\"note\">The run recorded no start offsets: tasks are placed by their start time, to the second.</p>\n";
  out += gantt_chart(d);
  out += "</section>\n";
}

void deviation_section(std::string& out, const ReportData& d) {
  out += "<section id=\"deviation\">\n<h2>Furthest from the forecast</h2>\n"
         "<p class=\"note\">Each task's measured runtime and peak memory divided by the forecast's p50 (×1 is spot on). Red: above the forecast's p95.</p>\n";
  out += deviation_chart(d);
  deviation_table(out, d);
  if (d.categories.size() > 1) {
    out += "<h3>By category</h3>\n";
    category_table(out, d);
  }
  out += "</section>\n";
}

}  // namespace

std::string render_html(const ReportData& d, const PageOptions& options) {
  std::string out;
  auto o = std::back_inserter(out);
  fmt::format_to(o,
                 "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
                 "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>{}{}</title>\n<style>{}</style>\n</head>\n<body>\n<main>\n",
                 escape(d.workflow.empty() ? "wf report" : d.workflow), d.run_id.empty() ? "" : escape(" · run " + d.run_id), kStyle);
  header(out, d);
  if (!d.demand.empty()) demand_section(out, d);
  if (!d.bars.empty()) timeline_section(out, d);
  if (!d.deviations.empty()) deviation_section(out, d);
  if (!d.anomalies.empty()) {
    out += "<section id=\"anomalies\">\n<h2>Anomalies</h2>\n<p class=\"note\">What the run found out of the ordinary, task by task.</p>\n";
    anomaly_table(out, d);
    out += "</section>\n";
  }
  if (!d.plan.empty()) {
    out += "<section id=\"plan\">\n<h2>Plan and use</h2>\n";
    fact_tables(out, d);
    out += "</section>\n";
  }
  std::string sections;
  for (const auto& s : d.sections) sections += (sections.empty() ? "" : ", ") + s;
  fmt::format_to(o, "<footer>{} · from the document's {}</footer>\n</main>\n</body>\n</html>\n", escape(options.generator),
                 sections.empty() ? "workflow" : escape(sections));
  return out;
}

}  // namespace wf::report
