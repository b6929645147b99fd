// The categories layout of the Gantt chart, for runs too large for a bar per attempt: per
// category, how many of its tasks ran at each moment; the critical path as merged bars; failed
// attempts and anomalies counted per moment. Its size depends on the buckets, not on the run.
#include <algorithm>
#include <cmath>
#include <iterator>
#include <numeric>

#include <fmt/format.h>

#include "report/gantt.h"
#include "report/palette.h"
#include "report/svg.h"

namespace wf::report {
namespace {

constexpr double kRowHeight = 32, kAreaHeight = 26;
constexpr size_t kMarkBuckets = 90;

struct Buckets {
  double width = 1;
  size_t count = kDensityBuckets;
  size_t of(double t) const { return std::min(count - 1, static_cast<size_t>(std::max(0.0, std::floor(t / width)))); }
};

// Adds [start, end) to `occupancy` as the fraction of each bucket it covers: the average number
// running in the bucket. Whole buckets go through a difference array, so each attempt is O(1).
void add_interval(std::vector<double>& occupancy, std::vector<double>& whole, const Buckets& b, double start, double end) {
  if (!(end > start)) return;
  size_t first = b.of(start), last = b.of(std::nextafter(end, start));
  if (first == last) {
    occupancy[first] += (end - start) / b.width;
    return;
  }
  occupancy[first] += (static_cast<double>(first + 1) * b.width - start) / b.width;
  occupancy[last] += (end - static_cast<double>(last) * b.width) / b.width;
  whole[first + 1] += 1;
  whole[last] -= 1;
}

void row_label(std::string& out, const TimeAxis& tx, double y, std::string_view name, const std::string& detail, const char* swatch) {
  if (swatch)
    fmt::format_to(std::back_inserter(out), "<rect x=\"{}\" y=\"{}\" width=\"8\" height=\"8\" fill=\"{}\"/>\n", px(tx.left - 14), px(y + 6), swatch);
  text(out, tx.left - (swatch ? 20 : 8), y + 13, shorten(name, 22), 11, "text-anchor=\"end\" fill=\"#222\"");
  text(out, tx.left - 8, y + 26, detail, 9.5, "text-anchor=\"end\" fill=\"#777\"");
}

// One category row: an area of how many ran, scaled to the row's own maximum.
void density_row(std::string& out, const std::vector<double>& occ, const Buckets& b, const TimeAxis& tx, double y, const char* colour,
                 const std::string& title) {
  double top = *std::max_element(occ.begin(), occ.end());
  if (top <= 0) return;
  double base = y + kRowHeight - 3;
  std::string d = fmt::format("M{} {}", px(tx.x(0)), px(base));
  for (size_t i = 0; i < occ.size(); ++i)
    fmt::format_to(std::back_inserter(d), "V{}H{}", px(base - occ[i] / top * kAreaHeight), px(tx.x(static_cast<double>(i + 1) * b.width)));
  d += fmt::format("V{}Z", px(base));
  fmt::format_to(std::back_inserter(out), "<path d=\"{}\" fill=\"{}\" stroke=\"{}\" stroke-width=\"0.6\"><title>{}</title></path>\n", d, colour,
                 colour, escape(title));
}

// The critical path's attempts as bars, those closer than a pixel merged into one.
void critical_row(std::string& out, const ReportData& d, const TimeAxis& tx, double y) {
  struct Run {
    double x0, x1;
    size_t tasks;
    std::string first, last;
  };
  std::vector<Run> runs;
  std::vector<std::pair<double, uint32_t>> order;
  for (size_t i = 0; i < d.bars.size(); ++i)
    if (d.bars[i].critical && !d.bars[i].attempts.empty()) order.push_back({d.bars[i].attempts.back().start_s, static_cast<uint32_t>(i)});
  std::sort(order.begin(), order.end());
  for (const auto& [start, i] : order) {
    const Attempt& a = d.bars[i].attempts.back();
    double x0 = tx.x(a.start_s), x1 = std::max(tx.x(a.end_s), x0 + 1);
    if (!runs.empty() && x0 <= runs.back().x1 + 1) {
      runs.back().x1 = std::max(runs.back().x1, x1);
      runs.back().last = d.bars[i].id;
      ++runs.back().tasks;
    } else {
      runs.push_back({x0, x1, 1, d.bars[i].id, d.bars[i].id});
    }
  }
  for (const auto& r : runs)
    fmt::format_to(std::back_inserter(out), "<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"14\" fill=\"#555555\" stroke=\"{}\" stroke-width=\"1.2\"><title>{}</title></rect>\n",
                   px(r.x0), px(y + 9), px(r.x1 - r.x0), kInkColour,
                   escape(r.tasks == 1 ? fmt::format("critical path: {}", r.first) : fmt::format("critical path: {} tasks, {} … {}", r.tasks, r.first, r.last)));
}

}  // namespace

double draw_density(std::string& out, const ReportData& d, const TimeAxis& tx, double top) {
  Buckets b{tx.ticks.top / static_cast<double>(kDensityBuckets), kDensityBuckets};
  size_t rows = std::min(d.categories.size(), kMaxCategoryRows);
  bool other = d.categories.size() > rows;
  std::vector<std::vector<double>> occ(rows + other, std::vector<double>(kDensityBuckets, 0)), whole = occ;
  std::vector<double> failed(kDensityBuckets, 0);
  // Anomaly markers are ~10 px apart at most, so they never pile up into a smear.
  Buckets marks{tx.ticks.top / static_cast<double>(kMarkBuckets), kMarkBuckets};
  std::vector<std::vector<uint32_t>> anomalies(kMarkBuckets);
  std::vector<size_t> tasks(rows + other, 0);
  for (size_t i = 0; i < d.bars.size(); ++i) {
    const Bar& bar = d.bars[i];
    size_t row = std::min<size_t>(bar.category, rows);
    ++tasks[row];
    for (const auto& a : bar.attempts) {
      add_interval(occ[row], whole[row], b, a.start_s, a.end_s);
      if (a.failed) failed[b.of(a.start_s)] += 1;
    }
    if (!bar.anomalies.empty() && !bar.attempts.empty()) anomalies[marks.of(bar.attempts.back().end_s)].push_back(static_cast<uint32_t>(i));
  }
  double y = top;
  bool critical = std::any_of(d.bars.begin(), d.bars.end(), [](const Bar& x) { return x.critical; });
  bool any_failed = std::any_of(failed.begin(), failed.end(), [](double f) { return f > 0; });
  bool any_anomaly = !d.anomalies.empty();
  double height = kRowHeight * static_cast<double>(rows + other + critical + any_failed + any_anomaly);
  time_grid(out, tx, top, top + height, true);
  if (critical) {
    row_label(out, tx, y, "critical path", "its tasks", nullptr);
    critical_row(out, d, tx, y);
    y += kRowHeight;
  }
  for (size_t r = 0; r < rows + other; ++r) {
    double running = 0, peak = 0;
    for (size_t i = 0; i < kDensityBuckets; ++i) {
      running += whole[r][i];
      occ[r][i] += running;
      peak = std::max(peak, occ[r][i]);
    }
    std::string name = r < rows ? d.categories[r].name : fmt::format("{} other categories", grouped(d.categories.size() - rows));
    const char* colour = category_colour(static_cast<uint32_t>(r < rows ? r : kDistinctColours));
    if (r % 2 == 1)
      fmt::format_to(std::back_inserter(out), "<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" fill=\"#f6f6f6\"/>\n", px(tx.left), px(y), px(tx.width), px(kRowHeight));
    std::string detail = fmt::format("{} tasks · max {}", grouped(tasks[r]), plain(std::ceil(peak - 1e-9)));
    row_label(out, tx, y, name, detail, colour);
    density_row(out, occ[r], b, tx, y, colour, fmt::format("{}: {} at once; the height is how many ran at once (average over {})", name, detail,
                                                           format_value(b.width, Unit::seconds)));
    y += kRowHeight;
  }
  if (any_failed) {
    double top_count = *std::max_element(failed.begin(), failed.end());
    row_label(out, tx, y, "failed attempts", fmt::format("{} in all", grouped(static_cast<uint64_t>(std::accumulate(failed.begin(), failed.end(), 0.0)))), nullptr);
    for (size_t i = 0; i < kDensityBuckets; ++i)
      if (failed[i] > 0) {
        double h = 4 + 20 * failed[i] / top_count;
        fmt::format_to(std::back_inserter(out), "<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" fill=\"{}\"><title>{} failed attempts started at +{}</title></rect>\n",
                       px(tx.x(static_cast<double>(i) * b.width)), px(y + kRowHeight - 3 - h), px(std::max(1.5, tx.width / kDensityBuckets)), px(h),
                       kAlertColour, plain(failed[i]), axis_label(static_cast<double>(i) * b.width, Unit::seconds));
      }
    y += kRowHeight;
  }
  if (any_anomaly) {
    row_label(out, tx, y, "anomalies", fmt::format("{} in all", grouped(d.anomalies.size())), nullptr);
    size_t most = 1;
    for (const auto& a : anomalies) most = std::max(most, a.size());
    for (size_t i = 0; i < kMarkBuckets; ++i) {
      if (anomalies[i].empty()) continue;
      std::string ids;
      for (size_t k = 0; k < anomalies[i].size() && k < 5; ++k) ids += (k ? ", " : "") + d.bars[anomalies[i][k]].id;
      if (anomalies[i].size() > 5) ids += ", …";
      double r = 2.5 + 3.5 * std::sqrt(static_cast<double>(anomalies[i].size()) / static_cast<double>(most));  // area ~ count
      diamond(out, tx.x((static_cast<double>(i) + 0.5) * marks.width), y + kRowHeight / 2, r,
              fmt::format("{} tasks with anomalies ending between +{} and +{}: {}", anomalies[i].size(),
                          axis_label(static_cast<double>(i) * marks.width, Unit::seconds), axis_label(static_cast<double>(i + 1) * marks.width, Unit::seconds), ids));
    }
    y += kRowHeight;
  }
  fmt::format_to(std::back_inserter(out), "<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" fill=\"none\" stroke=\"#999\"/>\n", px(tx.left), px(top), px(tx.width), px(height));
  return height;
}

}  // namespace wf::report
