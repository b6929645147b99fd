// The Gantt chart: layouts with a bar per attempt (tasks, slots) drawn here, the aggregated one in
// gantt_density.cc; the frame, legend and time axis are shared.
#include <algorithm>
#include <cmath>
#include <iterator>
#include <limits>
#include <queue>
#include <set>

#include <fmt/format.h>

#include "report/charts.h"
#include "report/gantt.h"
#include "report/palette.h"
#include "report/svg.h"

namespace wf::report {
namespace {

std::vector<Placed> attempts_in_start_order(const ReportData& d) {
  std::vector<Placed> out;
  for (size_t b = 0; b < d.bars.size(); ++b)
    for (size_t a = 0; a < d.bars[b].attempts.size(); ++a) out.push_back({static_cast<uint32_t>(b), static_cast<uint32_t>(a), 0});
  std::stable_sort(out.begin(), out.end(), [&](const Placed& x, const Placed& y) {
    return d.bars[x.bar].attempts[x.attempt].start_s < d.bars[y.bar].attempts[y.attempt].start_s;
  });
  return out;
}

// Interval partitioning: each attempt to the lowest slot free at its start. Returns the slot count.
size_t pack_slots(const ReportData& d, std::vector<Placed>& placed) {
  using Busy = std::pair<double, uint32_t>;  // end, slot
  std::priority_queue<Busy, std::vector<Busy>, std::greater<>> busy;
  std::set<uint32_t> free;
  uint32_t slots = 0;
  for (auto& p : placed) {
    const Attempt& a = d.bars[p.bar].attempts[p.attempt];
    // Times in the document are rounded to the millisecond and an end is the sum of two of them:
    // an end within a few milliseconds of a start frees the slot.
    while (!busy.empty() && busy.top().first <= a.start_s + 5e-3) {
      free.insert(busy.top().second);
      busy.pop();
    }
    if (free.empty()) {
      p.row = slots++;
    } else {
      p.row = *free.begin();
      free.erase(free.begin());
    }
    busy.push({a.end_s, p.row});
  }
  return slots;
}

struct Style {
  double row_h, bar_h;
  bool labels;  // task ids at the left (tasks layout)
};

void draw_attempt(std::string& out, const ReportData& d, const Placed& p, const TimeAxis& tx, double y, const Style& s) {
  const Bar& bar = d.bars[p.bar];
  const Attempt& a = bar.attempts[p.attempt];
  bool last = p.attempt + 1 == bar.attempts.size();
  const char* fill = category_colour(bar.category);
  std::string style;
  double stroke = s.bar_h >= 8 ? 1.6 : 0.8;
  if (!last) style = fmt::format(" fill-opacity=\"0.35\" stroke=\"{}\" stroke-dasharray=\"3 2\" stroke-width=\"{}\"", kAlertColour, px(stroke * 0.7));
  else if (a.failed) style = fmt::format(" stroke=\"{}\" stroke-width=\"{}\"", kAlertColour, px(stroke));
  else if (bar.critical) style = fmt::format(" stroke=\"{}\" stroke-width=\"{}\"", kInkColour, px(stroke));
  double x0 = tx.x(a.start_s), w = std::max(tx.x(a.end_s) - x0, 1.0);
  fmt::format_to(std::back_inserter(out), "<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" fill=\"{}\"{}><title>{}</title></rect>\n", px(x0),
                 px(y + (s.row_h - s.bar_h) / 2), px(w), px(s.bar_h), fill, style, escape(attempt_title(d, bar, p.attempt)));
  if (!last) return;
  double after = x0 + w + 4;
  if (bar.attempts.size() > 1 && s.labels) {
    std::string n = fmt::format("×{}", bar.attempts.size());
    text(out, after, y + s.row_h / 2 + 4, n, 10, fmt::format("fill=\"{}\"", kAlertColour));
    after += text_width(n, 10) + 4;
  }
  if (!bar.anomalies.empty()) {
    std::string why;
    for (uint32_t i : bar.anomalies) why += fmt::format("{}{}: {}", why.empty() ? "" : "; ", d.anomalies[i].measure, d.anomalies[i].why);
    diamond(out, after + 4, y + s.row_h / 2, std::min(5.0, s.row_h / 2 + 1), fmt::format("anomaly in {}: {}", bar.id, why));
  }
}

Style bar_style(const GanttLayout& g) {
  Style s;
  s.labels = g.mode == GanttMode::tasks;
  s.row_h = s.labels ? 20 : std::clamp(420.0 / static_cast<double>(std::max<size_t>(g.rows, 1)), 4.0, 18.0);
  s.bar_h = s.labels ? 12 : std::max(s.row_h - 3, 2.5);
  return s;
}

double plot_height(const GanttLayout& g) { return bar_style(g).row_h * static_cast<double>(g.rows); }

// The tasks and slots layouts: every attempt a bar in its row.
double draw_bars(std::string& out, const ReportData& d, const GanttLayout& g, const TimeAxis& tx, double top) {
  Style s = bar_style(g);
  double height = s.row_h * static_cast<double>(g.rows);
  for (size_t r = 0; r < g.rows; ++r)
    if (r % 2 == 1)
      fmt::format_to(std::back_inserter(out), "<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" fill=\"#f6f6f6\"/>\n", px(tx.left),
                     px(top + s.row_h * static_cast<double>(r)), px(tx.width), px(s.row_h));
  time_grid(out, tx, top, top + height, true);
  if (s.labels) {
    std::vector<bool> labelled(g.rows, false);
    for (const auto& p : g.placed) {
      if (labelled[p.row]) continue;
      labelled[p.row] = true;
      const Bar& bar = d.bars[p.bar];
      text(out, tx.left - 8, top + s.row_h * p.row + s.row_h / 2 + 4, shorten(bar.id, 24), 11,
           bar.critical ? "text-anchor=\"end\" font-weight=\"bold\" fill=\"#222\"" : "text-anchor=\"end\" fill=\"#333\"");
    }
  } else {
    size_t every = std::max<size_t>(1, static_cast<size_t>(std::ceil(14 / s.row_h)));
    for (size_t r = 0; r < g.rows; r += every)
      text(out, tx.left - 8, top + s.row_h * static_cast<double>(r) + s.row_h / 2 + 3.5, fmt::format("slot {}", r + 1), 10,
           "text-anchor=\"end\" fill=\"#555\"");
  }
  for (const auto& p : g.placed) draw_attempt(out, d, p, tx, top + s.row_h * p.row, s);
  // Tasks that never started: named at the bottom of the tasks layout.
  if (s.labels) {
    std::vector<std::string> idle;
    for (const auto& b : d.bars)
      if (b.attempts.empty()) idle.push_back(b.id);
    if (!idle.empty()) {
      std::string line = fmt::format("not run ({}): ", idle.size());
      for (size_t i = 0; i < idle.size() && i < 8; ++i) line += (i ? ", " : "") + idle[i];
      if (idle.size() > 8) line += ", …";
      text(out, tx.left, top + height + 32, line, 11, "fill=\"#777\" font-style=\"italic\"");
      height += 20;
    }
  }
  fmt::format_to(std::back_inserter(out), "<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" fill=\"none\" stroke=\"#999\"/>\n", px(tx.left),
                 px(top), px(tx.width), px(s.row_h * static_cast<double>(g.rows)));
  return height;
}

std::vector<LegendItem> legend_items(const ReportData& d) {
  std::vector<LegendItem> items;
  size_t shown = std::min<size_t>(d.categories.size(), kDistinctColours);
  for (size_t i = 0; i < shown; ++i) items.push_back({Swatch::box, category_colour(static_cast<uint32_t>(i)), shorten(d.categories[i].name, 24)});
  if (d.categories.size() > shown) items.push_back({Swatch::box, kOtherColour, fmt::format("{} other categories", grouped(d.categories.size() - shown))});
  bool critical = false, retried = false, failed = false;
  for (const auto& b : d.bars) {
    critical |= b.critical;
    retried |= b.attempts.size() > 1;
    failed |= !b.attempts.empty() && b.attempts.back().failed;
  }
  if (critical) items.push_back({Swatch::outlined, "#dddddd", "critical path"});
  if (retried) items.push_back({Swatch::faded, "#888888", "earlier attempt (retried)"});
  if (failed) items.push_back({Swatch::failed, "#dddddd", "failed"});
  if (!d.anomalies.empty()) items.push_back({Swatch::diamond, kAlertColour, "anomaly"});
  return items;
}

// The forecast's makespan (p50, p95) as vertical lines over the rows, so the run's end reads
// against it. Labels sit above the rows: p50's left of its line, p95's right of its own, or both
// in one label left of p50 when p95's would run off the chart.
void forecast_marks(std::string& out, const ReportData& d, const TimeAxis& tx, double top, double height) {
  auto visible = [&](const std::optional<double>& at) { return at && *at > 0 && *at <= tx.ticks.top; };
  auto line = [&](double at) {
    fmt::format_to(std::back_inserter(out),
                   "<line x1=\"{0}\" y1=\"{1}\" x2=\"{0}\" y2=\"{2}\" stroke=\"{3}\" stroke-width=\"1.4\" stroke-dasharray=\"4 3\"/>\n",
                   px(tx.x(at)), px(top - 4), px(top + height), kForecastColour);
  };
  std::string style = fmt::format("fill=\"{}\"", kForecastColour), end_style = style + " text-anchor=\"end\"";
  bool p50 = visible(d.makespan_p50_s), p95 = visible(d.makespan_p95_s);
  std::string p95_label = p95 ? fmt::format("forecast p95 {}", axis_label(*d.makespan_p95_s, Unit::seconds)) : "";
  bool p95_fits = p95 && tx.x(*d.makespan_p95_s) + 3 + text_width(p95_label, 10) <= tx.left + tx.width + kPlotRight;
  if (p50) {
    line(*d.makespan_p50_s);
    std::string label = fmt::format("forecast p50 {}", axis_label(*d.makespan_p50_s, Unit::seconds));
    if (p95 && !p95_fits) label += fmt::format(", p95 {} (the next line)", axis_label(*d.makespan_p95_s, Unit::seconds));
    text(out, tx.x(*d.makespan_p50_s) - 3, top - 7, label, 10, end_style);
  }
  if (p95) {
    line(*d.makespan_p95_s);
    if (p95_fits) text(out, tx.x(*d.makespan_p95_s) + 3, top - 7, p95_label, 10, style);
    else if (!p50) text(out, tx.x(*d.makespan_p95_s) - 3, top - 7, p95_label, 10, end_style);
  }
}

}  // namespace

std::string attempt_title(const ReportData& d, const Bar& bar, size_t k) {
  const Attempt& a = bar.attempts[k];
  std::string t = fmt::format("{} ({})", bar.id, d.categories[bar.category].name);
  if (bar.attempts.size() > 1) t += fmt::format(" · attempt {} of {}", k + 1, bar.attempts.size());
  if (a.failed && d.bars_source == "run") t += " · failed";
  t += fmt::format(" · +{} → +{} ({})", axis_label(a.start_s, Unit::seconds), axis_label(a.end_s, Unit::seconds),
                   format_value(a.end_s - a.start_s, Unit::seconds));
  if (bar.critical) t += " · critical path";
  for (uint32_t i : bar.anomalies) t += fmt::format(" · anomaly: {}", d.anomalies[i].why);
  return t;
}

GanttLayout gantt_layout(const ReportData& d) {
  GanttLayout g;
  size_t attempts = 0;
  for (const auto& b : d.bars) attempts += b.attempts.size();
  if (d.bars.size() <= kMaxTaskRows) {
    g.mode = GanttMode::tasks;
    g.placed = attempts_in_start_order(d);
    // A row per task, in the order of its first start; a task's later attempts share its row.
    std::vector<uint32_t> row_of(d.bars.size(), std::numeric_limits<uint32_t>::max());
    for (auto& p : g.placed) {
      if (row_of[p.bar] == std::numeric_limits<uint32_t>::max()) row_of[p.bar] = static_cast<uint32_t>(g.rows++);
      p.row = row_of[p.bar];
    }
    return g;
  }
  if (attempts <= kMaxSlotAttempts) {
    g.placed = attempts_in_start_order(d);
    g.rows = pack_slots(d, g.placed);
    if (g.rows <= kMaxSlots) {
      g.mode = GanttMode::slots;
      return g;
    }
  }
  g.mode = GanttMode::categories;
  g.placed.clear();
  g.rows = 0;
  return g;
}

std::string gantt_chart(const ReportData& d) {
  TimeAxis tx = time_axis(d.span_s, kPlotLeft, kChartWidth - kPlotLeft - kPlotRight);
  GanttLayout g = gantt_layout(d);
  std::string body;
  double top = 16 + legend(body, kPlotLeft, 16, legend_items(d), tx.width) + 14;
  double height = g.mode == GanttMode::categories ? draw_density(body, d, tx, top) : draw_bars(body, d, g, tx, top);
  forecast_marks(body, d, tx, top, g.mode == GanttMode::categories ? height : plot_height(g));
  double total = top + height + 34;
  static constexpr const char* kModes[] = {"one row per task", "one row per slot", "one row per category"};
  std::string out;
  open_svg(out, kChartWidth, total,
           fmt::format("{} of {}{}: {} tasks, {}", d.bars_source == "run" ? "Timeline" : "Planned timeline", d.workflow.empty() ? "the workflow" : d.workflow,
                       d.run_id.empty() ? "" : " run " + d.run_id, grouped(d.bars.size()), kModes[static_cast<int>(g.mode)]));
  out += body;
  text(out, kPlotLeft + tx.width, total - 4, d.has_run ? "time since the run's start" : "time since the start", 10, "text-anchor=\"end\" fill=\"#777\"");
  close_svg(out);
  return out;
}

}  // namespace wf::report
