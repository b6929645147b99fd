#pragma once
// What the charts share: the time axis (the same for the demand and Gantt charts, so they line
// up on the page), value axes, step paths and legends.
#include <string>
#include <vector>

#include "report/axis.h"
#include "report/data.h"

namespace wf::report {

inline constexpr double kChartWidth = 1000;
// Where the plot starts and ends in the demand and Gantt charts: the same, so they line up.
inline constexpr double kPlotLeft = 160, kPlotRight = 24;

struct TimeAxis {
  double left = 0, width = 0;
  Ticks ticks;
  double x(double t_s) const { return left + t_s / ticks.top * width; }
};
TimeAxis time_axis(double span_s, double left, double width);

// Vertical grid lines at the ticks between y_top and y_bottom; labels under y_bottom when asked.
void time_grid(std::string& out, const TimeAxis& axis, double y_top, double y_bottom, bool labels);

struct ValueAxis {
  double top_y = 0, height = 0;
  Ticks ticks;
  double y(double v) const { return top_y + height - v / ticks.top * height; }
};
// Horizontal grid lines and labels at the left of `axis_x`.
void value_grid(std::string& out, const ValueAxis& axis, Unit unit, double x0, double x1);

// A step function as a path's d attribute: the line, or (area) closed down to the axis.
std::string step_path(const StepSeries& s, const TimeAxis& tx, const ValueAxis& vy, bool area);

enum class Swatch { line, dashed, area, box, faded, outlined, failed, diamond };
struct LegendItem {
  Swatch swatch;
  std::string colour;
  std::string label;
};
// Items left to right from (x, y), wrapping at x + max_width; returns the height used.
double legend(std::string& out, double x, double y, const std::vector<LegendItem>& items, double max_width);

// A small diamond centred at (x, y), for anomalies.
void diamond(std::string& out, double x, double y, double r, std::string_view title);

// Roughly how wide `text` is at 11 px, for layout (no font metrics here: ~6.3 px a character).
double text_width(std::string_view text, double size = 11);

}  // namespace wf::report
