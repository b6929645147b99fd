// wf-report: the document of a run (and of its forecast, plan and provision) as pictures for
// people: one self-contained HTML page, or one chart as SVG. The last stage of the pipeline; it
// adds nothing to the document.
#include "cli/tool.h"
#include "report/report.h"
#include "util/error.h"
#include "util/log.h"

namespace wf::cli {
namespace {

struct ReportOptions {
  CommonOptions common;
  std::string chart;
};

int run_report(const ReportOptions& options, const Output& out) {
  util::set_quiet(options.common.quiet);
  bool svg = options.common.format == "svg";
  if (svg && options.chart.empty()) fail(util::Exit::usage, "--format svg draws one chart: name it with --chart demand|gantt|deviation");
  if (!svg && !options.chart.empty()) fail(util::Exit::usage, "--chart picks the chart of --format svg; the HTML page has them all");
  auto doc = io::Document::load(options.common.input);
  doc.diagnostics().finish();
  report::ReportData data = report::read_report(doc);
  if (svg) {
    out.write(options.common.output, report::render_svg(data, *report::parse_chart(options.chart)));
  } else {
    report::PageOptions page;
    page.generator = fmt::format("wf-report {}", version());
    out.write(options.common.output, report::render_html(data, page));
  }
  return 0;
}

}  // namespace

int report_main(int argc, const char* const* argv, const Output& out) {
  CLI::App app{"Draw a run and its forecast for people: one self-contained HTML page (demand over time against\n"
               "the forecast, a Gantt chart of the run, the tasks furthest from their forecast, the plan and\n"
               "what the run used), or one chart alone as SVG. Reads a wf document.",
               "wf-report"};
  ReportOptions options;
  options.common.format = "html";
  add_common(app, options.common, {"html", "svg"}, "wf document ('-' for stdin)");
  app.add_option("--chart", options.chart, "with --format svg: the chart to draw")->check(CLI::IsMember({"demand", "gantt", "deviation"}));
  app.footer("Exit: 0 written, 64 usage, 65 bad document or nothing to draw, 66 no input, 73/74 cannot write.\nSee wf-report(1), wf(7).");
  return run_tool("wf-report", app, argc, argv, [&] { return run_report(options, out); });
}

}  // namespace wf::cli
