#pragma once
// What the forecast needs over time, and the constraints a plan must respect.
//
// The timeline is piecewise constant: steps [t_start_s, t_end_s) with the chosen quantile (e.g.
// p95) of concurrent cpus, memory and gpus. Steps must not overlap; a gap between steps needs
// nothing. Times are seconds from the start of the run.
#include <optional>
#include <string>
#include <vector>

#include "plan/option.h"

namespace wf::plan {

struct DemandStep {
  double t_start_s = 0;
  double t_end_s = 0;
  double cpus = 0;
  double mem_bytes = 0;
  double gpus = 0;
};

// How a provider bills a window of d seconds: rounded up to a multiple of granularity_s, and never
// less than minimum_s. AWS and GCP Linux: per second with a 60 s minimum. Older offers: per hour.
struct Billing {
  double granularity_s = 1;
  double minimum_s = 60;

  static Billing per_second() { return {1, 60}; }
  static Billing per_hour() { return {3600, 3600}; }
  double billed_s(double window_s) const;
  double cost_usd(double usd_per_hour, double window_s) const { return usd_per_hour * billed_s(window_s) / 3600.0; }
  std::string name() const;  // "per-second (60 s minimum)", "per-hour", "per-300 s (600 s minimum)"
};

struct Demand {
  std::vector<DemandStep> steps;         // sorted by start, non-overlapping
  double deadline_s = 0;                 // the makespan to support; 0 = the end of the last step
  std::optional<double> budget_usd;      // max expected total cost
  std::vector<PurchaseOption> options;   // allowed; empty = all
  std::vector<std::string> regions;      // allowed; empty = every region of the catalog
  // The largest single task: it cannot span machines, so at every instant with demand one chosen
  // instance must hold it whole. 0 = no such constraint.
  double max_task_cpus = 0;
  double max_task_mem_bytes = 0;
  double max_task_gpus = 0;
  // The longest task's runtime. An interruption loses about half of it, and a spot instance is
  // used only if re-running a whole task fits in the slack before the deadline. 0 = unknown: the
  // lost work is then half the instance's window and the deadline check is skipped.
  double task_runtime_s = 0;
  // Input data living in `data_region`; a plan in another region moves it there once.
  double data_gb = 0;
  std::string data_region;
  std::optional<double> transfer_usd_per_gb;  // used where the catalog has no price for the pair
  Billing billing = Billing::per_second();
  // Burstable types (InstanceType::burstable) guarantee only a baseline share of their vCPUs; the
  // forecast is a sustained load, so they are left out unless allowed.
  bool allow_burstable = false;

  bool allows(PurchaseOption option) const;
  bool allows(const std::string& region) const;
  double start_s() const;  // the first step's start (0 when empty)
  double end_s() const;    // the last step's end
  double effective_deadline_s() const { return deadline_s > 0 ? deadline_s : end_s(); }
};

// Throws wf::Error (exit 65) naming the step and the problem: negative or non-finite values,
// an empty or reversed window, overlapping or unsorted steps, a demand that runs past the deadline,
// a negative budget or data size, a billing rule that is not positive.
void validate(const Demand& demand);

// One constant stretch of the timeline, gaps included (with zero need), adjacent equal steps
// merged. Covers [demand.start_s(), demand.end_s()) without holes.
struct Segment {
  double t_start_s = 0;
  double t_end_s = 0;
  double cpus = 0;
  double mem_bytes = 0;
  double gpus = 0;
  bool empty() const { return cpus <= 0 && mem_bytes <= 0 && gpus <= 0; }
  double duration_s() const { return t_end_s - t_start_s; }
};
std::vector<Segment> segments(const Demand& demand);

}  // namespace wf::plan
