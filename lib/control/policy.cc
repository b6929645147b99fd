#include "control/policy.h"

namespace wf::control {

const char* to_string(Mode mode) {
  switch (mode) {
    case Mode::off: return "off";
    case Mode::observe: return "observe";
    case Mode::resize: return "resize";
  }
  return "off";
}

std::optional<Mode> parse_mode(std::string_view text) {
  if (text == "off") return Mode::off;
  if (text == "observe") return Mode::observe;
  if (text == "resize") return Mode::resize;
  return std::nullopt;
}

}  // namespace wf::control
