#include "io/diagnostics.h"

#include "util/error.h"
#include "util/log.h"

namespace wf::io {

void Diagnostics::error(std::string_view pointer, std::string message) {
  errors_.push_back({std::string(pointer), std::move(message)});
}

void Diagnostics::warning(std::string_view pointer, std::string message) {
  warnings_.push_back({std::string(pointer), std::move(message)});
}

std::vector<std::string> Diagnostics::render(const std::vector<Item>& items) const {
  std::vector<std::string> lines;
  for (size_t i = 0; i < items.size() && i < kMaxReported; ++i)
    lines.push_back(fmt::format("{}: {}", locator_.where(items[i].pointer), items[i].message));
  if (items.size() > kMaxReported)
    lines.push_back(fmt::format("{}: {} more like these not shown", locator_.name(), items.size() - kMaxReported));
  return lines;
}

void Diagnostics::finish() {
  for (const auto& line : render(warnings_)) util::diag(util::Severity::warning, line);
  warnings_.clear();
  if (!errors_.empty()) {
    auto lines = render(errors_);
    errors_.clear();
    throw Errors(util::Exit::data, std::move(lines));
  }
}

}  // namespace wf::io
