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
//
// `write` takes the whole text; `stream`, when set, lets the producer write it in pieces, so a big
// document never sits in memory whole (the standard output sets both). A fake that sets only
// `write` (Output{[&](path, text) {...}}) still receives everything: send() collects it first.
struct Output {
  using Produce = std::function<void(io::Sink&)>;
  using Write = std::function<void(const std::string& path, std::string_view content)>;
  using Stream = std::function<void(const std::string& path, const Produce& produce)>;

  Output() = default;
  Output(Write w, Stream s = {}) : write(std::move(w)), stream(std::move(s)) {}  // NOLINT: Output{lambda} reads well

  Write write;
  Stream stream;

  static Output standard();
  // Streams through `stream` when set, else collects the text and calls `write`.
  void send(const std::string& path, const Produce& produce) const;
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

// Writes the document in `format` (json or yaml) to options.output, streamed.
void emit(const io::Document& doc, const CommonOptions& options, const Output& out);

const char* version();

// Each tool's entry point (tools/wf-<name>.cc is one line calling it).
int analyze_main(int argc, const char* const* argv, const Output& out = Output::standard());
int run_main(int argc, const char* const* argv, const Output& out = Output::standard());
int history_main(int argc, const char* const* argv, const Output& out = Output::standard());
int reap_main(int argc, const char* const* argv, const Output& out = Output::standard());
int predict_main(int argc, const char* const* argv, const Output& out = Output::standard());
int provision_main(int argc, const char* const* argv, const Output& out = Output::standard());
int report_main(int argc, const char* const* argv, const Output& out = Output::standard());

}  // namespace wf::cli
