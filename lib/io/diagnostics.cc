#include "io/diagnostics.h"

#include "util/error.h"
#include "util/log.h"

namespace wf::io {

void Diagnostics::error(std::string_view pointer, std::string message) {
  if (errors_full()) count_error();
  else errors_.push_back({std::string(pointer), std::move(message)});
}

void Diagnostics::warning(std::string_view pointer, std::string message) {
  if (warnings_full()) count_warning();
  else warnings_.push_back({std::string(pointer), std::move(message)});
}

std::vector<std::string> Diagnostics::render(const std::vector<Item>& items, size_t unshown) const {
  std::vector<std::string> lines;
  for (const auto& item : items) lines.push_back(fmt::format("{}: {}", locator_.where(item.pointer), item.message));
  if (unshown > 0) lines.push_back(fmt::format("{}: {} more like these not shown", locator_.name(), unshown));
  return lines;
}

void Diagnostics::finish() {
  for (const auto& line : render(warnings_, unshown_warnings_)) util::diag(util::Severity::warning, line);
  warnings_.clear();
  unshown_warnings_ = 0;
  if (has_errors()) {
    auto lines = render(errors_, unshown_errors_);
    errors_.clear();
    unshown_errors_ = 0;
    throw Errors(util::Exit::data, std::move(lines));
  }
}

}  // namespace wf::io
