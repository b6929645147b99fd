#include "report/steps.h"

#include <algorithm>
#include <cmath>

namespace wf::report {

double StepSeries::max() const {
  double m = 0;
  for (const auto& s : steps) m = std::max(m, s.value);
  return m;
}

StepSeries sum_intervals(std::vector<Interval> intervals) {
  struct Event {
    double t_s, delta;
  };
  std::vector<Event> events;
  events.reserve(intervals.size() * 2);
  double scale = 0;
  for (const auto& i : intervals) {
    if (!(i.end_s > i.start_s) || i.value == 0) continue;
    events.push_back({i.start_s, i.value});
    events.push_back({i.end_s, -i.value});
    scale = std::max(scale, std::fabs(i.value));
  }
  std::sort(events.begin(), events.end(), [](const Event& a, const Event& b) {
    return a.t_s != b.t_s ? a.t_s < b.t_s : a.delta < b.delta;
  });
  StepSeries out;
  double level = 0;
  for (size_t i = 0; i < events.size();) {
    double t = events[i].t_s;
    for (; i < events.size() && events[i].t_s == t; ++i) level += events[i].delta;
    // Additions and removals of fractions leave residues: what is within rounding of 0 is 0.
    if (std::fabs(level) < scale * 1e-9) level = 0;
    if (out.steps.empty() && t > 0) out.steps.push_back({0, 0});
    if (!out.steps.empty() && out.steps.back().t_s == t) out.steps.back().value = level;
    else out.steps.push_back({t, level});
    out.end_s = t;
  }
  if (!out.steps.empty() && out.steps.back().value == 0 && out.steps.size() > 1) out.steps.pop_back();
  return out;
}

StepSeries bucket_max(const StepSeries& series, size_t max_steps) {
  if (series.steps.size() <= max_steps || max_steps == 0 || series.end_s <= 0) return series;
  double width = series.end_s / static_cast<double>(max_steps);
  std::vector<double> top(max_steps, 0);
  std::vector<bool> seen(max_steps, false);
  auto bucket = [&](double t) {
    return std::min(max_steps - 1, static_cast<size_t>(std::max(0.0, std::floor(t / width))));
  };
  for (size_t i = 0; i < series.steps.size(); ++i) {
    double from = series.steps[i].t_s;
    double to = i + 1 < series.steps.size() ? series.steps[i + 1].t_s : series.end_s;
    if (to < from || from >= series.end_s) continue;
    size_t last = to > from ? bucket(std::nextafter(to, from)) : bucket(from);
    for (size_t b = bucket(from); b <= last; ++b) {
      top[b] = seen[b] ? std::max(top[b], series.steps[i].value) : series.steps[i].value;
      seen[b] = true;
    }
  }
  StepSeries out;
  out.end_s = series.end_s;
  out.steps.reserve(max_steps);
  for (size_t b = 0; b < max_steps; ++b) {
    double v = seen[b] ? top[b] : (out.steps.empty() ? 0 : out.steps.back().value);
    if (!out.steps.empty() && out.steps.back().value == v) continue;  // a flat run is one step
    out.steps.push_back({static_cast<double>(b) * width, v});
  }
  return out;
}

double value_at(const StepSeries& series, double t_s) {
  if (series.steps.empty() || t_s < series.steps.front().t_s || t_s >= series.end_s) return 0;
  auto it = std::upper_bound(series.steps.begin(), series.steps.end(), t_s, [](double t, const Step& s) { return t < s.t_s; });
  return std::prev(it)->value;
}

}  // namespace wf::report
