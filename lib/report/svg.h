#pragma once
// Writing SVG (and HTML) text: coordinates with one decimal, escaped text, the root element.
// Charts append to a std::string with fmt::format_to; these are the pieces they share.
#include <string>
#include <string_view>

namespace wf::report {

// A coordinate or length: rounded to 0.1, without "-0" or a trailing ".0" ("12", "3.5").
std::string px(double v);

// Text for an element or an attribute value: & < > " ' escaped.
std::string escape(std::string_view text);

// `text` cut to `max_chars` characters (UTF-8 aware), ending with "…" when cut.
std::string shorten(std::string_view text, size_t max_chars);

// The root element of a chart, `width` × `height` user units, with the XML namespace (so the same
// text is a file of its own and an element inside HTML), a font and an accessible label.
void open_svg(std::string& out, double width, double height, std::string_view label);
void close_svg(std::string& out);

// Text anchored at (x, y) in `size` px; `attrs` is added as is (e.g. `text-anchor="end"`).
void text(std::string& out, double x, double y, std::string_view content, double size = 11, std::string_view attrs = "");

}  // namespace wf::report
