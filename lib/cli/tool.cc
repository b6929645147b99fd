#include "cli/tool.h"

#include <exception>

#include "io/source.h"
#include "util/error.h"
#include "util/log.h"

namespace wf::cli {

Output Output::standard() {
  return Output{[](const std::string& path, std::string_view content) { io::write_output(path, content); },
                [](const std::string& path, const Produce& produce) { io::write_output(path, produce); }};
}

void Output::send(const std::string& path, const Produce& produce) const {
  if (stream) {
    stream(path, produce);
    return;
  }
  io::StringSink sink;
  produce(sink);
  write(path, sink.text());
}

const char* version() { return WF_VERSION; }

void add_common(CLI::App& app, CommonOptions& options, const std::vector<std::string>& formats, std::string_view input_help) {
  app.add_option("input", options.input, std::string(input_help))->capture_default_str();
  app.add_option("-o,--output", options.output, "write the output to FILE, atomically ('-' for stdout)")
      ->type_name("FILE")
      ->capture_default_str();
  app.add_option("--format", options.format, "output format")
      ->check(CLI::IsMember(formats))
      ->capture_default_str();
  app.add_flag("-q,--quiet", options.quiet, "print errors only, no warnings or notes");
}

int run_tool(const std::string& name, CLI::App& app, int argc, const char* const* argv, const std::function<int()>& body) {
  util::set_program_name(name);
  app.set_version_flag("--version", std::string(name) + " " + version());
  try {
    app.parse(argc, argv);
  } catch (const CLI::Success& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    util::diag(util::Severity::error, fmt::format("{} (see '{} --help')", e.what(), name));
    return util::code(util::Exit::usage);
  }
  try {
    return body();
  } catch (const Errors& e) {
    for (const auto& line : e.all()) util::diag(util::Severity::error, line);
    return util::code(e.exit());
  } catch (const Error& e) {
    util::diag(util::Severity::error, e.what());
    return util::code(e.exit());
  } catch (const std::bad_alloc&) {
    util::diag(util::Severity::error, "out of memory");
    return util::code(util::Exit::software);
  } catch (const std::exception& e) {
    util::diag(util::Severity::error, fmt::format("internal error: {}", e.what()));
    return util::code(util::Exit::software);
  }
}

void emit(const io::Document& doc, const CommonOptions& options, const Output& out) {
  io::Format format = options.format == "yaml" ? io::Format::yaml : io::Format::json;
  out.send(options.output, [&](io::Sink& sink) { doc.write(format, sink); });
}

}  // namespace wf::cli
