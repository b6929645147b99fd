#pragma once
// What every tool shares: the top level that turns errors into one stderr line and an exit code,
// the common flags, and where output goes (a seam, so tests capture it in-process).
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include <CLI/CLI.hpp>

#include "io/document.h"

namespace wf::cli {

// Where a tool's data output goes. The default writes to stdout (or -o FILE, atomically).
struct Output {
  std::function<void(const std::string& path, std::string_view content)> write;
  static Output standard();
};

// Flags every document tool has.
struct CommonOptions {
  std::string input = "-";
  std::string output = "-";
  std::string format = "json";
  bool quiet = false;
};

// Adds INPUT, -o/--output, --format (one of `formats`), -q/--quiet.
void add_common(CLI::App& app, CommonOptions& options, const std::vector<std::string>& formats,
                std::string_view input_help = "workflow, WfFormat instance or wf document ('-' for stdin)");

// Parses argv and runs `body`, mapping the outcome to an exit code:
//   --help/--version 0; a usage error 64 (CLI11's own codes are never returned);
//   wf::Error its code, one "<tool>: error: <message>" line per problem; anything else 70.
int run_tool(const std::string& name, CLI::App& app, int argc, const char* const* argv, const std::function<int()>& body);

// Writes the document in `format` (json or yaml) to options.output.
void emit(const io::Document& doc, const CommonOptions& options, const Output& out);

const char* version();

// Each tool's entry point (tools/wf-<name>.cc is one line calling it).
int analyze_main(int argc, const char* const* argv, const Output& out = Output::standard());
int run_main(int argc, const char* const* argv, const Output& out = Output::standard());
int history_main(int argc, const char* const* argv, const Output& out = Output::standard());

}  // namespace wf::cli
