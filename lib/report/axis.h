#pragma once
// Axes for people: round tick values (1, 2, 5 × 10^k; binary units for bytes; minutes and hours
// for time) and the short labels that go with them.
#include <cstdint>
#include <string>
#include <vector>

#include "report/data.h"

namespace wf::report {

struct Ticks {
  std::vector<double> values;  // from 0, ascending; the last is `top`
  double top = 1;              // the axis runs 0 .. top (>= the maximum asked for)
};

// About `target` ticks from 0 to at least `max` in `unit`. Bytes step through binary units
// (256MiB, 1GiB, ...); seconds through 1, 2, 5, 10, 15, 30 s, 1, 2, 5, 10, 15, 30 min, 1, 2, 3, 6, 12 h, days.
Ticks nice_ticks(double max, Unit unit, int target = 5);

// A tick label: "1.5", "512MiB", "2GiB/s", "1m30s", "2h".
std::string axis_label(double value, Unit unit);
// A tick label in the binary unit of the axis' step, so one axis never mixes "1000MiB" with
// "1.46GiB" (other units: as axis_label).
std::string tick_label(double value, Unit unit, double step);

// A value for people, at most 3 significant digits: "2.5 cpus", "1.2GiB", "3m05s", "12MiB/s".
std::string format_value(double value, Unit unit);

// A number with 3 significant digits and no exponent below a million ("0.25", "12.5", "1234").
std::string plain(double value);

// An integer with thousands separated: "100,000".
std::string grouped(uint64_t value);

// A ratio for people: "×1.8", "×0.42".
std::string format_ratio(double ratio);

}  // namespace wf::report
