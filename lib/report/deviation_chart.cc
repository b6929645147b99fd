// The deviation chart: each task's measured / p50 for runtime (x) and memory (y), log2 scales from
// ×1/16 to ×16 (beyond is drawn at the edge). Dots while they can be told apart, else a density grid.
#include <algorithm>
#include <cmath>
#include <iterator>

#include <fmt/format.h>

#include "report/charts.h"
#include "report/frame.h"
#include "report/palette.h"
#include "report/svg.h"

namespace wf::report {
namespace {

constexpr double kLeft = 86, kTop = 56, kPlotW = 560, kPlotH = 360, kHeight = 470;
constexpr int kMaxLimit = 4;          // log2: at widest ×1/16 .. ×16; at narrowest ×1/4 .. ×4
constexpr size_t kMaxDots = 1500;     // beyond: the grid
constexpr size_t kGridX = 56, kGridY = 36;
constexpr size_t kNamed = 8;          // the furthest, named

// Both axes run ×2^-limit .. ×2^limit, the smallest power that holds every ratio (from 2 to
// kMaxLimit); ratios beyond are drawn at the edge.
struct Scale {
  int limit = 2;
  double unit(double ratio) const {
    double l = limit;
    return (std::clamp(std::log2(ratio), -l, l) + l) / (2 * l);
  }
  double x(double ratio) const { return kLeft + unit(ratio) * kPlotW; }
  double y(double ratio) const { return kTop + kPlotH - unit(ratio) * kPlotH; }
};

Scale scale_for(const std::vector<const Deviation*>& both) {
  double most = 0;
  for (const Deviation* v : both) most = std::max({most, std::fabs(std::log2(v->runtime->ratio)), std::fabs(std::log2(v->mem->ratio))});
  return Scale{std::clamp(static_cast<int>(std::ceil(most - 1e-9)), 2, kMaxLimit)};
}

std::string tick_label(int e) { return e >= 0 ? fmt::format("×{}", 1 << e) : fmt::format("×1/{}", 1 << -e); }

void axes(std::string& out, const Scale& sc) {
  auto o = std::back_inserter(out);
  for (int e = -sc.limit; e <= sc.limit; ++e) {
    double r = std::ldexp(1.0, e);
    const char* colour = e == 0 ? "#888888" : kGridColour;
    fmt::format_to(o, "<line x1=\"{0}\" y1=\"{1}\" x2=\"{0}\" y2=\"{2}\" stroke=\"{3}\"/>\n", px(sc.x(r)), px(kTop), px(kTop + kPlotH), colour);
    fmt::format_to(o, "<line x1=\"{0}\" y1=\"{1}\" x2=\"{2}\" y2=\"{1}\" stroke=\"{3}\"/>\n", px(kLeft), px(sc.y(r)), px(kLeft + kPlotW), colour);
    text(out, sc.x(r), kTop + kPlotH + 15, tick_label(e), 10, "text-anchor=\"middle\" fill=\"#555\"");
    text(out, kLeft - 6, sc.y(r) + 3.5, tick_label(e), 10, "text-anchor=\"end\" fill=\"#555\"");
  }
  text(out, kLeft + kPlotW / 2, kTop + kPlotH + 34, "runtime: measured / forecast p50", 11, "text-anchor=\"middle\" fill=\"#333\"");
  text(out, 16, kTop + kPlotH / 2, "memory: measured / forecast p50", 11,
       fmt::format("text-anchor=\"middle\" fill=\"#333\" transform=\"rotate(-90 16 {})\"", px(kTop + kPlotH / 2)));
  const char* grey = "fill=\"#999\"";
  text(out, kLeft + kPlotW - 6, kTop + 14, "slower, more memory", 10, fmt::format("text-anchor=\"end\" {}", grey));
  text(out, kLeft + 6, kTop + 14, "faster, more memory", 10, grey);
  text(out, kLeft + kPlotW - 6, kTop + kPlotH - 8, "slower, less memory", 10, fmt::format("text-anchor=\"end\" {}", grey));
  text(out, kLeft + 6, kTop + kPlotH - 8, "faster, less memory", 10, grey);
  fmt::format_to(o, "<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" fill=\"none\" stroke=\"#999\"/>\n", px(kLeft), px(kTop), px(kPlotW), px(kPlotH));
}

std::string ratio_text(const char* what, const std::optional<Ratio>& r, Unit unit) {
  if (!r) return fmt::format("{}: no forecast", what);
  return fmt::format("{} {} ({} vs p50 {}{})", what, format_ratio(r->ratio), format_value(r->measured, unit), format_value(r->p50, unit),
                     r->above_p95 ? ", above p95" : "");
}

void dots(std::string& out, const ReportData& d, const std::vector<const Deviation*>& both, const Scale& sc) {
  // Drawn nearest first, so the furthest sit on top.
  for (auto it = both.rbegin(); it != both.rend(); ++it) {
    const Deviation& v = **it;
    const Bar& bar = d.bars[v.task];
    bool above = v.runtime->above_p95 || v.mem->above_p95;
    fmt::format_to(std::back_inserter(out), "<circle cx=\"{}\" cy=\"{}\" r=\"4\" fill=\"{}\" fill-opacity=\"0.85\"{}><title>{}: {}; {}</title></circle>\n",
                   px(sc.x(v.runtime->ratio)), px(sc.y(v.mem->ratio)), category_colour(bar.category),
                   above ? fmt::format(" stroke=\"{}\" stroke-width=\"1.5\"", kAlertColour) : std::string(" stroke=\"#ffffff\" stroke-width=\"0.6\""),
                   escape(bar.id), escape(ratio_text("runtime", v.runtime, Unit::seconds)), escape(ratio_text("memory", v.mem, Unit::bytes)));
  }
}

void grid(std::string& out, const std::vector<const Deviation*>& both, const Scale& sc) {
  std::vector<uint32_t> count(kGridX * kGridY, 0);
  auto cell = [](double v, double lo, double span, size_t n) {
    return std::min(n - 1, static_cast<size_t>(std::max(0.0, (v - lo) / span * static_cast<double>(n))));
  };
  for (const Deviation* v : both) {
    size_t cx = cell(sc.x(v->runtime->ratio), kLeft, kPlotW, kGridX);
    size_t cy = cell(sc.y(v->mem->ratio), kTop, kPlotH, kGridY);
    ++count[cy * kGridX + cx];
  }
  double top = std::log1p(static_cast<double>(*std::max_element(count.begin(), count.end())));
  double w = kPlotW / kGridX, h = kPlotH / kGridY;
  for (size_t cy = 0; cy < kGridY; ++cy)
    for (size_t cx = 0; cx < kGridX; ++cx) {
      uint32_t n = count[cy * kGridX + cx];
      if (!n) continue;
      double opacity = 0.15 + 0.85 * std::log1p(n) / top;
      fmt::format_to(std::back_inserter(out), "<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" fill=\"{}\" fill-opacity=\"{:.2f}\"><title>{} tasks</title></rect>\n",
                     px(kLeft + w * static_cast<double>(cx)), px(kTop + h * static_cast<double>(cy)), px(w), px(h), kForecastColour, opacity, grouped(n));
    }
}

// The furthest tasks named beside their point, listed at the right with their ratios.
void named(std::string& out, const ReportData& d, const std::vector<const Deviation*>& both, const Scale& sc) {
  double x = kLeft + kPlotW + 30, y = kTop + 6;
  text(out, x, y, both.size() > kNamed ? "furthest from the forecast" : "the tasks, furthest first", 11, "font-weight=\"bold\" fill=\"#222\"");
  // Each number beside its point, moved around it until it overlaps no number placed before.
  static constexpr double kOffsets[][2] = {{5, -4}, {5, 11}, {-12, -4}, {-12, 11}, {5, -15}, {-12, -15}, {5, 22}, {-12, 22}};
  std::vector<std::pair<double, double>> placed;
  auto clear = [&](double x0, double y0) {
    return std::none_of(placed.begin(), placed.end(), [&](const auto& p) { return std::fabs(p.first - x0) < 11 && std::fabs(p.second - y0) < 11; });
  };
  for (size_t i = 0; i < both.size() && i < kNamed; ++i) {
    const Deviation& v = *both[i];
    const Bar& bar = d.bars[v.task];
    double cx = sc.x(v.runtime->ratio), cy = sc.y(v.mem->ratio);
    const double* at = kOffsets[0];
    for (const auto& off : kOffsets)
      if (clear(cx + off[0], cy + off[1])) {
        at = off;
        break;
      }
    placed.push_back({cx + at[0], cy + at[1]});
    text(out, cx + at[0], cy + at[1], fmt::format("{}", i + 1), 10, "font-weight=\"bold\" fill=\"#222\"");
    y += 34;
    text(out, x, y, fmt::format("{}. {}", i + 1, shorten(bar.id, 40)), 11, "fill=\"#222\"");
    text(out, x + 14, y + 14, fmt::format("runtime {} · memory {}", format_ratio(v.runtime->ratio), format_ratio(v.mem->ratio)), 10, "fill=\"#666\"");
  }
}

}  // namespace

std::string deviation_chart(const ReportData& d) {
  std::vector<const Deviation*> both;
  size_t partial = 0;
  for (const auto& v : d.deviations) {
    if (v.runtime && v.mem) both.push_back(&v);
    else ++partial;
  }
  std::string out;
  open_svg(out, kChartWidth, kHeight, fmt::format("Measured against forecast: {} tasks", grouped(both.size())));
  std::string caption = both.size() > kMaxDots
                            ? fmt::format("{} tasks, counted per cell (darker: more)", grouped(both.size()))
                            : fmt::format("{} tasks, one dot each; a red ring: above the forecast p95", grouped(both.size()));
  if (partial) caption += fmt::format(" · {} with a forecast for only one of the two are left out", grouped(partial));
  text(out, kLeft, 24, caption, 11, "fill=\"#555\"");
  Scale sc = scale_for(both);
  axes(out, sc);
  if (both.size() > kMaxDots) grid(out, both, sc);
  else dots(out, d, both, sc);
  named(out, d, both, sc);
  close_svg(out);
  return out;
}

}  // namespace wf::report
