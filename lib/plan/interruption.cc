#include "plan/interruption.h"

#include <algorithm>
#include <array>
#include <cmath>

#include "util/strings.h"

namespace wf::plan {
namespace {

struct Bucket {
  std::string_view label;
  double midpoint;
};

constexpr std::array<Bucket, 5> kBuckets{{
    {"<5%", 0.025}, {"5-10%", 0.075}, {"10-15%", 0.125}, {"15-20%", 0.175}, {">20%", 0.30}}};

Interruption make(std::string_view label, double p, bool assumed) {
  Interruption risk;
  risk.bucket = std::string(label);
  risk.assumed = assumed;
  risk.month_fraction = p;
  risk.per_hour = -std::log1p(-p) / kHoursPerMonth;
  return risk;
}

}  // namespace

std::optional<Interruption> interruption_from_bucket(std::string_view label) {
  std::string_view t = util::trim(label);
  for (const Bucket& b : kBuckets)
    if (t == b.label) return make(b.label, b.midpoint, false);
  return std::nullopt;
}

Interruption unknown_interruption() { return make(kBuckets.back().label, kBuckets.back().midpoint, true); }

std::string_view bucket_labels() { return "<5%, 5-10%, 10-15%, 15-20%, >20%"; }

double expected_interruption_usd(const Interruption& risk, double window_h, double spot_usd_per_hour,
                                 double replace_usd_per_hour, double lost_h) {
  if (window_h <= 0 || risk.per_hour <= 0) return 0;
  double lambda = risk.per_hour;
  double p = -std::expm1(-lambda * window_h);
  double remaining_h = std::max(0.0, window_h - p / lambda);
  double rerun = p * replace_usd_per_hour * std::max(0.0, lost_h);
  double replacement = std::max(0.0, replace_usd_per_hour - spot_usd_per_hour) * remaining_h;
  return rerun + replacement;
}

}  // namespace wf::plan
