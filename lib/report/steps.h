#pragma once
// Step functions over time: summed from intervals (usage rebuilt from the tasks) and squeezed to a
// bounded number of steps for drawing. Squeezing keeps the maximum of each bucket, so a peak is
// never averaged away, whatever the run's length.
#include <cstddef>
#include <vector>

#include "report/data.h"

namespace wf::report {

// A value held over [start_s, end_s).
struct Interval {
  double start_s = 0, end_s = 0;
  double value = 0;
};

// The sum of the intervals at every instant, from 0 to the last end. Where intervals end and
// others start at the same instant, the ends are taken first (no peak that never existed).
StepSeries sum_intervals(std::vector<Interval> intervals);

// At most `max_steps` steps of equal width over [0, series.end_s], each the maximum the series
// reaches within it. A series that already has no more steps is returned as it is.
StepSeries bucket_max(const StepSeries& series, size_t max_steps);

// The value at time t (0 before the first step and from end_s on).
double value_at(const StepSeries& series, double t_s);

}  // namespace wf::report
