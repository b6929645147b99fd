// The demand chart: one panel per resource, sharing the time axis with the Gantt chart.
#include <algorithm>
#include <iterator>

#include <fmt/format.h>

#include "report/charts.h"
#include "report/frame.h"
#include "report/palette.h"
#include "report/svg.h"

namespace wf::report {
namespace {

constexpr double kPanelHeight = 150, kPanelGap = 44;

// Capacity (and a cloud plan) join the scale only within this factor of the highest demand: a
// 22GiB machine would flatten a 40MiB run into the axis. Beyond, they are named, not drawn.
constexpr double kCapacityScale = 3;

double demand_max(const Panel& p) {
  return std::max({p.forecast_p95.max(), p.forecast_p50.max(), p.measured_reserved.max(), p.measured_used.max()});
}

bool on_scale(const Panel& p, double level) { return demand_max(p) <= 0 || level <= kCapacityScale * demand_max(p); }

double panel_max(const Panel& p) {
  double m = demand_max(p);
  if (p.capacity && on_scale(p, *p.capacity)) m = std::max(m, *p.capacity);
  if (!p.planned.empty() && on_scale(p, p.planned.max())) m = std::max(m, p.planned.max());
  return m;
}

void path(std::string& out, const std::string& d, std::string_view style) {
  if (!d.empty()) fmt::format_to(std::back_inserter(out), "<path d=\"{}\" {}/>\n", d, style);
}

// "peaks: measured 3.5 reserved, 2.1 used · forecast 3 (p50), 4 (p95)"
std::string peaks_line(const Panel& p) {
  std::vector<std::string> parts;
  if (!p.measured_reserved.empty() || !p.measured_used.empty()) {
    std::string m = "measured ";
    if (!p.measured_reserved.empty()) m += axis_label(p.measured_reserved.max(), p.unit) + " reserved, ";
    m += axis_label(p.measured_used.max(), p.unit) + " used";
    parts.push_back(m);
  }
  if (!p.forecast_p95.empty())
    parts.push_back(fmt::format("forecast {} (p50), {} (p95)", axis_label(p.forecast_p50.max(), p.unit), axis_label(p.forecast_p95.max(), p.unit)));
  std::string line = "peaks: ";
  for (size_t i = 0; i < parts.size(); ++i) line += (i ? " · " : "") + parts[i];
  return line;
}

void draw_panel(std::string& out, const Panel& p, const TimeAxis& tx, double top, bool last) {
  ValueAxis vy{top, kPanelHeight, nice_ticks(panel_max(p) * 1.04, p.unit, 4)};
  double x0 = tx.left, x1 = tx.left + tx.width;
  text(out, 12, top + 14, p.title, 14, "font-weight=\"bold\" fill=\"#222\"");
  text(out, x0, top - 8, peaks_line(p), 11, "fill=\"#555\"");
  value_grid(out, vy, p.unit, x0, x1);
  time_grid(out, tx, top, top + kPanelHeight, last);
  path(out, step_path(p.forecast_p95, tx, vy, true), fmt::format("fill=\"{}\" fill-opacity=\"0.55\"", kBandColour));
  path(out, step_path(p.forecast_p50, tx, vy, false), fmt::format("fill=\"none\" stroke=\"{}\" stroke-width=\"1.6\"", kForecastColour));
  path(out, step_path(p.measured_used, tx, vy, false), fmt::format("fill=\"none\" stroke=\"{}\" stroke-width=\"1.3\"", kUsedColour));
  path(out, step_path(p.measured_reserved, tx, vy, false), fmt::format("fill=\"none\" stroke=\"{}\" stroke-width=\"2\"", kReservedColour));
  double note_y = top + 12;  // what is off the scale, named at the top right
  auto off_scale = [&](const std::string& what, const char* colour) {
    text(out, x1 - 4, note_y, what + " ↑ (off the scale)", 10, fmt::format("text-anchor=\"end\" fill=\"{}\"", colour));
    note_y += 13;
  };
  if (!p.planned.empty() && on_scale(p, p.planned.max()))
    path(out, step_path(p.planned, tx, vy, false),
         fmt::format("fill=\"none\" stroke=\"{}\" stroke-width=\"1.6\" stroke-dasharray=\"6 3\"", kPlannedColour));
  else if (!p.planned.empty())
    off_scale(fmt::format("cloud plan up to {}", axis_label(p.planned.max(), p.unit)), kPlannedColour);
  if (p.capacity && on_scale(p, *p.capacity)) {
    double y = vy.y(*p.capacity);
    fmt::format_to(std::back_inserter(out),
                   "<line x1=\"{0}\" y1=\"{1}\" x2=\"{2}\" y2=\"{1}\" stroke=\"{3}\" stroke-width=\"1.6\" stroke-dasharray=\"6 4\"/>\n", px(x0), px(y),
                   px(x1), kCapacityColour);
    text(out, x1 - 4, y - 4, fmt::format("{} {}", p.capacity_label, axis_label(*p.capacity, p.unit)), 10,
         fmt::format("text-anchor=\"end\" fill=\"{}\"", kCapacityColour));
  } else if (p.capacity) {
    off_scale(fmt::format("{} {}", p.capacity_label, axis_label(*p.capacity, p.unit)), kCapacityColour);
  }
  fmt::format_to(std::back_inserter(out), "<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" fill=\"none\" stroke=\"#999\"/>\n", px(x0), px(top),
                 px(x1 - x0), px(kPanelHeight));
}

std::vector<LegendItem> legend_items(const ReportData& d) {
  auto any = [&](auto has) { return std::any_of(d.demand.begin(), d.demand.end(), has); };
  std::vector<LegendItem> items;
  if (any([](const Panel& p) { return !p.forecast_p95.empty(); })) {
    items.push_back({Swatch::area, kBandColour, "forecast p95"});
    items.push_back({Swatch::line, kForecastColour, "forecast p50"});
  }
  if (any([](const Panel& p) { return !p.measured_reserved.empty(); })) items.push_back({Swatch::line, kReservedColour, "reserved (run)"});
  if (any([](const Panel& p) { return !p.measured_used.empty(); })) items.push_back({Swatch::line, kUsedColour, "used: cpus busy, RSS, I/O (run)"});
  if (any([](const Panel& p) { return p.capacity.has_value(); })) items.push_back({Swatch::dashed, kCapacityColour, "capacity"});
  if (any([](const Panel& p) { return !p.planned.empty(); })) items.push_back({Swatch::dashed, kPlannedColour, "cloud plan"});
  return items;
}

}  // namespace

std::string demand_chart(const ReportData& d) {
  TimeAxis tx = time_axis(d.span_s, kPlotLeft, kChartWidth - kPlotLeft - kPlotRight);
  std::string body;
  double legend_h = legend(body, kPlotLeft, 16, legend_items(d), tx.width);
  double top = 16 + legend_h + 22;
  for (size_t i = 0; i < d.demand.size(); ++i) {
    draw_panel(body, d.demand[i], tx, top, i + 1 == d.demand.size());
    top += kPanelHeight + kPanelGap;
  }
  double height = top - kPanelGap + 30;
  std::string out;
  open_svg(out, kChartWidth, height, fmt::format("Demand over time{}", d.workflow.empty() ? "" : ": " + d.workflow));
  out += body;
  text(out, kPlotLeft + tx.width, height - 4, d.has_run ? "time since the run's start" : "time since the start", 10, "text-anchor=\"end\" fill=\"#777\"");
  close_svg(out);
  return out;
}

}  // namespace wf::report
