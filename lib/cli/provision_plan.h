#pragma once
// wf-provision's planning half: from the document's forecast to the `plan` section — the lease
// this machine should give (local provider) or the cheapest cloud capacity (a catalog).
#include <optional>
#include <string>
#include <vector>

#include "io/document.h"
#include "model/dag.h"
#include "plan/plan.h"

namespace wf::cli {

struct PlanRequest {
  std::string provider = "local";
  std::vector<std::string> catalogs;
  std::vector<std::string> regions;
  std::vector<std::string> options;  // on-demand, spot, reserved
  std::optional<double> budget_usd;
  std::optional<double> deadline_s;
  std::string billing = "per-second";
  std::string quantile = "p95";      // which forecast band capacity covers
  double mem_margin = 0.10;          // added to the forecast memory peak for a local lease
};

// What the plan decided for the local provider: the lease to take.
struct LocalPlan {
  double cpus = 0, mem_bytes = 0, disk_bytes = 0;
  double machine_cpus = 0, machine_mem_bytes = 0;
  double forecast_cpus = 0, forecast_mem_bytes = 0;
  std::optional<double> makespan_under_lease_s;  // p95, when the lease is below the forecast peak
  // The same simulation's makespan and peak used memory, p50 and p95: what the run under the lease
  // is forecast to measure, where the prediction section forecasts the demand (unlimited, or its
  // --cpus/--mem).
  std::optional<std::pair<double, double>> under_lease_makespan_s, under_lease_used_mem_bytes;
  std::vector<std::string> why;
};

// The plan section; also fills `local` when the provider is local. Needs doc.section("prediction").
io::Json make_plan_section(io::Document& doc, const model::Dag& dag, const PlanRequest& request, LocalPlan& local);

std::string render_plan_table(const io::Json& plan);

}  // namespace wf::cli
