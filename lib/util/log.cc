#include "util/log.h"

#include <cstdio>
#include <cstdlib>
#include <mutex>

#include <unistd.h>

namespace wf::util {
namespace {
std::string g_program = "wf";
bool g_quiet = false;
std::mutex g_mutex;
DiagSink g_sink = nullptr;
void* g_sink_context = nullptr;
}  // namespace

void set_diag_sink(DiagSink sink, void* context) {
  std::lock_guard lock(g_mutex);
  g_sink = sink;
  g_sink_context = context;
}

void set_program_name(std::string name) { g_program = std::move(name); }
const std::string& program_name() { return g_program; }
void set_quiet(bool quiet) { g_quiet = quiet; }

bool colour_enabled() {
  static const bool enabled = isatty(STDERR_FILENO) && std::getenv("NO_COLOR") == nullptr;
  return enabled;
}

void diag(Severity severity, std::string_view message) {
  if (g_quiet && severity != Severity::error) return;
  const char* word = severity == Severity::error ? "error" : severity == Severity::warning ? "warning" : "note";
  const char* colour = severity == Severity::error ? "\033[1;31m" : severity == Severity::warning ? "\033[1;35m" : "\033[1;36m";
  std::string line = colour_enabled() && !g_sink
                         ? fmt::format("{}: {}{}:\033[0m {}\n", g_program, colour, word, message)
                         : fmt::format("{}: {}: {}\n", g_program, word, message);
  std::lock_guard lock(g_mutex);
  if (g_sink) g_sink(line, g_sink_context);
  else std::fwrite(line.data(), 1, line.size(), stderr);
}

}  // namespace wf::util
