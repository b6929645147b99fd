#pragma once
// Reading back what the report wrote, for tests: element counts, attributes, and whether the
// text is well formed (every element closed, in order).
#include <algorithm>
#include <string>
#include <string_view>
#include <vector>

namespace wf::report::testing {

// Occurrences of `needle` in `text`.
inline size_t count(std::string_view text, std::string_view needle) {
  size_t n = 0;
  for (size_t at = text.find(needle); at != std::string_view::npos; at = text.find(needle, at + needle.size())) ++n;
  return n;
}

// Elements named `name` (counts "<name " and "<name>").
inline size_t elements(std::string_view text, std::string_view name) {
  return count(text, "<" + std::string(name) + " ") + count(text, "<" + std::string(name) + ">");
}

// The value of the first `attr="..."` in `text`, or "".
inline std::string attribute(std::string_view text, std::string_view attr) {
  std::string key = std::string(attr) + "=\"";
  size_t at = text.find(key);
  if (at == std::string_view::npos) return "";
  size_t end = text.find('"', at + key.size());
  return std::string(text.substr(at + key.size(), end - at - key.size()));
}

// "" when every element is closed in order (HTML void elements and <!DOCTYPE> aside), else what
// went wrong first.
inline std::string well_formed(std::string_view text) {
  static const std::vector<std::string_view> kVoid = {"meta", "br", "hr", "img", "input", "link"};
  std::vector<std::string> open;
  for (size_t at = text.find('<'); at != std::string_view::npos; at = text.find('<', at + 1)) {
    size_t end = text.find('>', at);
    if (end == std::string_view::npos) return "unterminated tag";
    std::string_view tag = text.substr(at + 1, end - at - 1);
    if (tag.starts_with("!")) continue;
    bool closing = tag.starts_with("/");
    bool self = tag.ends_with("/");
    std::string_view name = tag.substr(closing ? 1 : 0);
    name = name.substr(0, name.find_first_of(" /\n"));
    if (closing) {
      if (open.empty() || open.back() != name) return "unexpected </" + std::string(name) + ">" + (open.empty() ? "" : " in <" + open.back() + ">");
      open.pop_back();
    } else if (!self && std::find(kVoid.begin(), kVoid.end(), name) == kVoid.end()) {
      open.emplace_back(name);
    }
  }
  return open.empty() ? "" : "<" + open.back() + "> never closed";
}

}  // namespace wf::report::testing
