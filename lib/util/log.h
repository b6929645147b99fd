#pragma once
// Diagnostics to stderr, one line each, prefixed with the program's name and a severity:
//   wf-analyze: warning: etl.yaml:14:5: task 'load' has no resource hints
// stdout is for data only; nothing here ever writes to it.
#include <string>
#include <string_view>

#include <fmt/format.h>

namespace wf::util {

enum class Severity { error, warning, note };

void set_program_name(std::string name);
const std::string& program_name();
// -q silences warnings and notes; errors always print.
void set_quiet(bool quiet);
bool colour_enabled();  // stderr is a terminal and NO_COLOR is unset

void diag(Severity severity, std::string_view message);

// Where diagnostic lines go (stderr by default); tests capture them. Pass nullptr to restore.
using DiagSink = void (*)(std::string_view line, void* context);
void set_diag_sink(DiagSink sink, void* context);

template <typename... Args>
void warn(fmt::format_string<Args...> f, Args&&... args) {
  diag(Severity::warning, fmt::format(f, std::forward<Args>(args)...));
}
template <typename... Args>
void note(fmt::format_string<Args...> f, Args&&... args) {
  diag(Severity::note, fmt::format(f, std::forward<Args>(args)...));
}

}  // namespace wf::util
