// wf-analyze: is the DAG sound, and what is its shape? Adds `analysis` to the document.
#include "analyze/analysis.h"
#include "analyze/render.h"
#include "analyze/validate.h"
#include "cli/params.h"
#include "cli/tool.h"
#include "io/wfformat.h"
#include "util/log.h"

namespace wf::cli {
namespace {

struct AnalyzeOptions {
  CommonOptions common;
  std::vector<std::string> params;
  bool check = false;
};

int run_analyze(const AnalyzeOptions& options, const Output& out) {
  util::set_quiet(options.common.quiet);
  auto doc = io::Document::load(options.common.input);
  apply_params(doc, options.params);
  model::Dag dag = analyze::checked_dag(doc);
  if (options.check) return 0;
  const auto& wf = doc.workflow();
  auto an = analyze::analyze(wf, dag);
  for (const auto& w : an.warnings) util::warn("{}", w);
  const std::string& format = options.common.format;
  if (format == "table") {
    out.write(options.common.output, analyze::render_table(an, wf));
  } else if (format == "dot") {
    out.write(options.common.output, analyze::render_dot(an, wf, dag));
  } else if (format == "wfformat") {
    io::JsonDoc scratch;
    io::Json instance = io::write_wfformat(wf, scratch.GetAllocator());
    out.send(options.common.output, [&](io::Sink& sink) { io::write_json(instance, sink); });
  } else {
    doc.set_section("analysis", analyze::to_json(an, wf, doc.alloc()));
    emit(doc, options.common, out);
  }
  return 0;
}

}  // namespace

int analyze_main(int argc, const char* const* argv, const Output& out) {
  CLI::App app{"Check a workflow and describe its shape: levels, critical path, slack, width and\n"
               "parallelism over time. Reads a native workflow (YAML/JSON), a WfFormat instance or a wf\n"
               "document; writes the document with an `analysis` section.",
               "wf-analyze"};
  AnalyzeOptions options;
  add_common(app, options.common, {"json", "yaml", "table", "dot", "wfformat"});
  add_param_option(app, options.params);
  app.add_flag("--check", options.check, "validate only: print nothing, exit 0 when sound, 65 when not");
  app.footer("Exit: 0 sound, 64 usage, 65 invalid workflow (every problem reported), 66 no input.\nSee wf-analyze(1), wf(7).");
  return run_tool("wf-analyze", app, argc, argv, [&] { return run_analyze(options, out); });
}

}  // namespace wf::cli
