#include "report/frame.h"

#include <algorithm>
#include <iterator>

#include <fmt/format.h>

#include "report/palette.h"
#include "report/svg.h"

namespace wf::report {

TimeAxis time_axis(double span_s, double left, double width) {
  return TimeAxis{left, width, nice_ticks(span_s, Unit::seconds, 10)};
}

void time_grid(std::string& out, const TimeAxis& axis, double y_top, double y_bottom, bool labels) {
  for (double t : axis.ticks.values) {
    double x = axis.x(t);
    fmt::format_to(std::back_inserter(out), "<line x1=\"{0}\" y1=\"{1}\" x2=\"{0}\" y2=\"{2}\" stroke=\"{3}\"/>\n", px(x), px(y_top),
                   px(y_bottom), kGridColour);
    if (labels) text(out, x, y_bottom + 14, axis_label(t, Unit::seconds), 10, "text-anchor=\"middle\" fill=\"#555\"");
  }
}

void value_grid(std::string& out, const ValueAxis& axis, Unit unit, double x0, double x1) {
  for (double v : axis.ticks.values) {
    double y = axis.y(v);
    fmt::format_to(std::back_inserter(out), "<line x1=\"{0}\" y1=\"{1}\" x2=\"{2}\" y2=\"{1}\" stroke=\"{3}\"/>\n", px(x0), px(y), px(x1),
                   v == 0 ? "#bbbbbb" : kGridColour);
    double step = axis.ticks.values.size() > 1 ? axis.ticks.values[1] : axis.ticks.top;
    text(out, x0 - 6, y + 3.5, tick_label(v, unit, step), 10, "text-anchor=\"end\" fill=\"#555\"");
  }
}

std::string step_path(const StepSeries& s, const TimeAxis& tx, const ValueAxis& vy, bool area) {
  std::string d;
  if (s.steps.empty() || s.steps.front().t_s >= tx.ticks.top) return d;
  double base = vy.y(0);
  auto out = std::back_inserter(d);
  if (area) fmt::format_to(out, "M{} {}V{}", px(tx.x(s.steps.front().t_s)), px(base), px(vy.y(s.steps.front().value)));
  else fmt::format_to(out, "M{} {}", px(tx.x(s.steps.front().t_s)), px(vy.y(s.steps.front().value)));
  // What lies past the axis is cut at its edge.
  for (size_t i = 1; i < s.steps.size() && s.steps[i].t_s < tx.ticks.top; ++i)
    fmt::format_to(out, "H{}V{}", px(tx.x(s.steps[i].t_s)), px(vy.y(s.steps[i].value)));
  fmt::format_to(out, "H{}", px(tx.x(std::min(s.end_s, tx.ticks.top))));
  if (area) fmt::format_to(out, "V{}Z", px(base));
  return d;
}

double text_width(std::string_view text, double size) {
  size_t chars = 0;
  for (char c : text) chars += (static_cast<unsigned char>(c) & 0xC0) != 0x80;
  return static_cast<double>(chars) * size * 0.58;
}

void diamond(std::string& out, double x, double y, double r, std::string_view title) {
  fmt::format_to(std::back_inserter(out), "<path d=\"M{} {}l{} {}l{} {}l{} {}Z\" fill=\"{}\" stroke=\"#ffffff\" stroke-width=\"0.8\"><title>{}</title></path>\n",
                 px(x), px(y - r), px(r), px(r), px(-r), px(r), px(-r), px(-r), kAlertColour, escape(title));
}

namespace {

void swatch(std::string& out, const LegendItem& item, double x, double y) {
  auto o = std::back_inserter(out);
  const std::string& c = item.colour;
  switch (item.swatch) {
    case Swatch::line: fmt::format_to(o, "<line x1=\"{0}\" y1=\"{1}\" x2=\"{2}\" y2=\"{1}\" stroke=\"{3}\" stroke-width=\"2\"/>\n", px(x), px(y), px(x + 16), c); break;
    case Swatch::dashed:
      fmt::format_to(o, "<line x1=\"{0}\" y1=\"{1}\" x2=\"{2}\" y2=\"{1}\" stroke=\"{3}\" stroke-width=\"1.6\" stroke-dasharray=\"5 3\"/>\n", px(x), px(y), px(x + 16), c);
      break;
    case Swatch::area: fmt::format_to(o, "<rect x=\"{}\" y=\"{}\" width=\"16\" height=\"9\" fill=\"{}\" opacity=\"0.7\"/>\n", px(x), px(y - 4.5), c); break;
    case Swatch::box: fmt::format_to(o, "<rect x=\"{}\" y=\"{}\" width=\"12\" height=\"10\" rx=\"1.5\" fill=\"{}\"/>\n", px(x + 2), px(y - 5), c); break;
    case Swatch::faded:
      fmt::format_to(o, "<rect x=\"{}\" y=\"{}\" width=\"14\" height=\"10\" fill=\"{}\" fill-opacity=\"0.35\" stroke=\"{}\" stroke-dasharray=\"3 2\"/>\n",
                     px(x + 1), px(y - 5), c, kAlertColour);
      break;
    case Swatch::outlined:
      fmt::format_to(o, "<rect x=\"{}\" y=\"{}\" width=\"14\" height=\"10\" fill=\"{}\" stroke=\"{}\" stroke-width=\"1.8\"/>\n", px(x + 1), px(y - 5), c, kInkColour);
      break;
    case Swatch::failed:
      fmt::format_to(o, "<rect x=\"{}\" y=\"{}\" width=\"14\" height=\"10\" fill=\"{}\" stroke=\"{}\" stroke-width=\"1.8\"/>\n", px(x + 1), px(y - 5), c, kAlertColour);
      break;
    case Swatch::diamond: diamond(out, x + 8, y, 5, item.label); break;
  }
}

}  // namespace

double legend(std::string& out, double x, double y, const std::vector<LegendItem>& items, double max_width) {
  double cx = x, cy = y, line = 16;
  for (const auto& item : items) {
    double w = 22 + text_width(item.label, 11) + 16;
    if (cx > x && cx + w > x + max_width) {
      cx = x;
      cy += line;
    }
    swatch(out, item, cx, cy);
    text(out, cx + 22, cy + 4, item.label, 11, "fill=\"#333\"");
    cx += w;
  }
  return cy - y + line;
}

}  // namespace wf::report
