#pragma once
// Spot interruption risk: from the AWS Spot Instance Advisor's bucket to an hourly hazard, and the
// expected cost an interruption adds to a spot instance held for a window.
//
// Mapping (documented here because every spot price in a plan depends on it):
//   The advisor's "frequency of interruption" is the share of a type's spot instances reclaimed
//   over the last month. A bucket is a range of that share; we take its midpoint as the monthly
//   probability p that one instance is interrupted in a month of runtime:
//       <5% -> 2.5%   5-10% -> 7.5%   10-15% -> 12.5%   15-20% -> 17.5%   >20% -> 30%
//   The open bucket ">20%" gets the midpoint of [20%, 40%]: it must price worse than every closed
//   bucket, but the feed's nominal upper end (100%) would price such types as hopeless, which the
//   observed rates do not support.
//   Interruptions are a Poisson process of constant hazard over the 730 hours of an average month:
//       lambda_per_hour = -ln(1 - p) / 730
//   A spot offer without a bucket (GCP publishes none) is assumed to be ">20%" and says so.
#include <optional>
#include <string>
#include <string_view>

namespace wf::plan {

struct Interruption {
  std::string bucket;           // "<5%" ... ">20%", as read; ">20%" when assumed
  bool assumed = false;         // no bucket was read; the worst one was assumed
  double month_fraction = 0;    // p, the probability of an interruption per month of runtime
  double per_hour = 0;          // lambda, the hourly hazard
};

inline constexpr double kHoursPerMonth = 730.0;

// nullopt for a label that is not one of the five buckets (whitespace around it is ignored).
std::optional<Interruption> interruption_from_bucket(std::string_view label);
// The assumption for a spot offer whose bucket is unknown.
Interruption unknown_interruption();
// "<5%, 5-10%, 10-15%, 15-20%, >20%", for messages.
std::string_view bucket_labels();

// Expected extra cost (USD) of one spot instance held for `window_h` hours:
//   P = 1 - exp(-lambda T)                       probability of an interruption in the window
//   P * replace_usd_per_hour * lost_h            re-running the lost work on the replacement
//   (replace - spot) * (T - P / lambda)          the rest of the window held on the replacement
// where T - P/lambda = E[(T - tau) 1{tau < T}] for the interruption time tau, and lost_h is the
// work in progress at the interruption (the caller's estimate: half a task's runtime). At most one
// interruption is counted: the replacement is on-demand and is not interrupted again.
double expected_interruption_usd(const Interruption& risk, double window_h, double spot_usd_per_hour,
                                 double replace_usd_per_hour, double lost_h);

}  // namespace wf::plan
