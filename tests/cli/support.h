#pragma once
// Runs a tool in-process: argv -> parse -> run, with stdout and diagnostics captured.
#include <functional>
#include <string>
#include <vector>

#include "cli/tool.h"
#include "util/log.h"

namespace wf::test {

struct Result {
  int code = 0;
  std::string out;  // the data the tool wrote to stdout
  std::string err;  // its diagnostics
};

inline Result run_tool(int (*main_fn)(int, const char* const*, const cli::Output&), std::vector<std::string> args) {
  Result r;
  std::vector<const char*> argv;
  for (const auto& a : args) argv.push_back(a.c_str());
  cli::Output out{[&r](const std::string& path, std::string_view content) {
    if (path.empty() || path == "-") r.out.append(content);
    else cli::Output::standard().write(path, content);
  }};
  util::set_diag_sink([](std::string_view line, void* ctx) { static_cast<Result*>(ctx)->err.append(line); }, &r);
  r.code = main_fn(static_cast<int>(argv.size()), argv.data(), out);
  util::set_diag_sink(nullptr, nullptr);
  util::set_quiet(false);
  return r;
}

inline std::string source_path(const std::string& rel) { return std::string(WF_SOURCE_DIR) + "/" + rel; }

}  // namespace wf::test
