#include "report/svg.h"

#include <cmath>
#include <iterator>

#include <fmt/format.h>

namespace wf::report {

std::string px(double v) {
  long long tenths = std::llround(v * 10);
  if (tenths % 10 == 0) return fmt::format("{}", tenths / 10);
  return fmt::format("{}{}.{}", tenths < 0 ? "-" : "", std::llabs(tenths) / 10, std::llabs(tenths) % 10);
}

std::string escape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      default:
        // Control characters are not allowed in XML 1.0 text: shown as a space.
        if (static_cast<unsigned char>(c) < 0x20 && c != '\n' && c != '\t') out += ' ';
        else out += c;
    }
  }
  return out;
}

std::string shorten(std::string_view text, size_t max_chars) {
  size_t chars = 0, cut = std::string_view::npos;
  for (size_t i = 0; i < text.size(); ++i) {
    if ((static_cast<unsigned char>(text[i]) & 0xC0) == 0x80) continue;  // a continuation byte
    if (chars == max_chars - 1) cut = i;
    if (++chars > max_chars) return std::string(text.substr(0, cut)) + "…";
  }
  return std::string(text);
}

void open_svg(std::string& out, double width, double height, std::string_view label) {
  fmt::format_to(std::back_inserter(out),
                 "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {0} {1}\" width=\"{0}\" height=\"{1}\" role=\"img\" "
                 "aria-label=\"{2}\" font-family=\"DejaVu Sans, Helvetica, Arial, sans-serif\" font-size=\"11\">\n"
                 "<title>{2}</title>\n<rect width=\"{0}\" height=\"{1}\" fill=\"#ffffff\"/>\n",
                 px(width), px(height), escape(label));
}

void close_svg(std::string& out) { out += "</svg>\n"; }

void text(std::string& out, double x, double y, std::string_view content, double size, std::string_view attrs) {
  fmt::format_to(std::back_inserter(out), "<text x=\"{}\" y=\"{}\"{}{}{}>{}</text>\n", px(x), px(y),
                 size == 11 ? "" : fmt::format(" font-size=\"{}\"", px(size)), attrs.empty() ? "" : " ", attrs, escape(content));
}

}  // namespace wf::report
