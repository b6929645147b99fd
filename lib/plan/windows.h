#pragma once
// Hysteresis: instance windows of one offer are joined across idle gaps, an instance staying on
// when that costs no more than a fresh one (billing minimums, per-hour rounding) or when the gap is
// at most `merge_gap_s` (releasing and re-acquiring a machine for a short dip is churn, not savings).
#include <compare>
#include <vector>

#include "plan/demand.h"

namespace wf::plan {

struct Window {
  double start_s = 0;
  double end_s = 0;
  auto operator<=>(const Window&) const = default;
};

// Returns the joined windows, sorted. Each input window is handed, in order of start, to the idle
// instance whose extension costs least (then the most recently idle, then the oldest), or to a new
// instance. Invariant: every instant inside an input window is inside as many output windows as
// input windows hold it, or more.
std::vector<Window> merge_windows(std::vector<Window> windows, const Billing& billing, double usd_per_hour,
                                  double merge_gap_s);

}  // namespace wf::plan
