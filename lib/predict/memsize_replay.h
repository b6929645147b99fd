#pragma once
// The accounting of the memory-sizing literature, and the online loop that scores a MemorySizer on a
// stream of executions (/work/shared/notes/memory-sizing.md):
//   usage U += y·t;  an attempt with a >= y wastes (a − y)·t;  an attempt with a < y fails, counts
//   one failure and wastes a·t (a killed attempt is charged the full runtime), and the next attempt
//   follows the sizer's retry rule until one fits.
//   Wastage in GB·h (GB = 1e9 bytes), MAQ = U / (U + wastage).
#include <span>
#include <vector>

#include "predict/memsize.h"

namespace wf::predict {

struct SizingCost {
  double usage_gbh = 0;   // Σ y·t
  double over_gbh = 0;    // Σ (a − y)·t of the attempts that fit
  double failed_gbh = 0;  // Σ a·t of the attempts that were killed
  long failures = 0;      // killed attempts
  long tasks = 0;

  double wastage_gbh() const { return over_gbh + failed_gbh; }
  // Memory allocation quality, U / (U + wastage); 1 when nothing was run.
  double maq() const;
  SizingCost& operator+=(const SizingCost& other);
};

// GB·h of `bytes` held for `runtime_s`.
double gb_hours(double bytes, double runtime_s);

// The cost of one task given the allocations of its attempts in order; every allocation but the
// last must be below the usage and the last at or above it.
SizingCost account(std::span<const Bytes> allocations, const MemorySample& task);

// The allocations `sizer` gives `task`: first(), then retry() while the attempt is too small. The
// monitor is taken to have seen nothing before a kill (measured_before_kill = nullopt): the method
// cannot learn the usage from the failure. Throws wf::Error (exit 70) when a retry does not grow or
// 64 attempts do not fit.
std::vector<Bytes> attempts(const MemorySizer& sizer, const MemorySample& task);

// The online loop: sizer.train(history), then for each task of `stream` in order: size it (without
// its usage), account its attempts, then sizer.observe(task).
SizingCost replay(MemorySizer& sizer, std::span<const MemorySample> history, std::span<const MemorySample> stream);

// A fixed allocation per task, scored without simulation: the workflow's configured request against
// what the task used (the "preset" baseline). A request below the usage counts as no waste and no
// failure; completed traces never hold one, since the request is the limit the task ran under.
SizingCost score_fixed(std::span<const Bytes> requested, std::span<const MemorySample> tasks);

}  // namespace wf::predict
