// Plan cost against the LP lower bound and the naive baseline (the peak on-demand for the whole
// run), on the shipped price catalogs and a set of demand timelines. Prints figures; asserts nothing.
//   bench_plan_cost [CATALOG_DIR]     default: WF_SHARED_DIR/catalogs
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <random>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "plan/bytes.h"
#include "plan/plan.h"
#include "util/error.h"

using namespace wf::plan;

namespace {

struct Case {
  std::string name;
  Demand demand;
};

DemandStep step(double t0_min, double t1_min, double cpus, double mem_gib) {
  return {t0_min * 60, t1_min * 60, cpus, mem_gib * kGiB, 0};
}

Demand base_demand() {
  Demand d;
  d.data_gb = 100;
  d.data_region = "us-east-1";
  d.transfer_usd_per_gb = 0.02;  // AWS inter-region rate between US regions; an assumption here
  return d;
}

// 8 h of a steady 64 cpus / 256 GiB.
Case flat() {
  Case c{"flat", base_demand()};
  c.demand.steps = {step(0, 480, 64, 256)};
  c.demand.task_runtime_s = 30 * 60;
  return c;
}

// Fork-join: a narrow prep, a short wide scatter (15 min at 256 cpus), a narrow gather.
Case fork_join() {
  Case c{"fork-join", base_demand()};
  c.demand.steps = {step(0, 30, 4, 16), step(30, 45, 256, 512), step(45, 75, 8, 32)};
  c.demand.max_task_cpus = 4;
  c.demand.max_task_mem_bytes = 16 * kGiB;
  c.demand.task_runtime_s = 15 * 60;
  return c;
}

// Long tail: an hour wide, then stragglers halving every 30 min for 6 h.
Case long_tail() {
  Case c{"long-tail", base_demand()};
  c.demand.steps = {step(0, 60, 128, 384)};
  double cpus = 64;
  for (int i = 0; i < 12; ++i) {
    c.demand.steps.push_back(step(60 + 30 * i, 90 + 30 * i, std::max(2.0, cpus), std::max(6.0, cpus * 3)));
    cpus /= 2;
  }
  c.demand.task_runtime_s = 30 * 60;
  return c;
}

// Diurnal, multi-phase: 24 h in 30 min steps; the load follows the day, and the night phase is
// memory-heavy (indexing) while the day phase is cpu-heavy.
Case diurnal() {
  Case c{"diurnal", base_demand()};
  for (int i = 0; i < 48; ++i) {
    double day = std::sin(M_PI * i / 48.0);
    double cpus = std::round(8 + 88 * day);
    double mem_gib = i < 16 || i >= 40 ? cpus * 8 : cpus * 2;
    c.demand.steps.push_back(step(30 * i, 30 * (i + 1), cpus, mem_gib));
  }
  c.demand.task_runtime_s = 20 * 60;
  return c;
}

// Uniform integer in [lo, hi] from the raw generator (distributions differ between standard
// libraries; this does not).
int pick(std::mt19937& rng, int lo, int hi) { return lo + static_cast<int>(rng() % static_cast<unsigned>(hi - lo + 1)); }

// Scale: 1,000 one-minute steps of a simulated forecast. Tasks of four kinds arrive in three phases
// (align, then call + qc, then merge with a burst); a step holds the cpus and memory of the tasks
// running in that minute, so the level and the cpu:memory ratio drift as the mix changes.
Case scale() {
  struct Kind {
    double cpus, mem_gib;
    int min_runtime, max_runtime;  // minutes
  };
  const Kind align{4, 8, 20, 40}, call{2, 12, 5, 15}, merge{8, 48, 30, 60}, qc{1, 2, 2, 5};
  std::vector<double> cpus(1000, 0.0), mem(1000, 0.0);
  std::mt19937 rng(20261129);
  auto start = [&](const Kind& k, int t) {
    int end = std::min(1000, t + pick(rng, k.min_runtime, k.max_runtime));
    for (int m = t; m < end; ++m) {
      cpus[static_cast<size_t>(m)] += k.cpus;
      mem[static_cast<size_t>(m)] += k.mem_gib;
    }
  };
  for (int t = 0; t < 1000; ++t) {
    if (t < 300) {
      for (int i = pick(rng, 0, 2); i > 0; --i) start(align, t);
    } else if (t < 700) {
      for (int i = pick(rng, 0, 6); i > 0; --i) start(call, t);
      for (int i = pick(rng, 0, 4); i > 0; --i) start(qc, t);
    } else {
      for (int i = pick(rng, 0, 1); i > 0; --i) start(merge, t);
      if (t >= 850 && t < 870)
        for (int i = pick(rng, 4, 8); i > 0; --i) start(align, t);
    }
  }
  Case c{"scale-1000", base_demand()};
  for (int t = 0; t < 1000; ++t)
    c.demand.steps.push_back(step(t, t + 1, std::max(1.0, cpus[static_cast<size_t>(t)]), std::max(2.0, mem[static_cast<size_t>(t)])));
  c.demand.max_task_cpus = 8;
  c.demand.max_task_mem_bytes = 48 * kGiB;
  c.demand.task_runtime_s = 60 * 60;
  return c;
}

// Stress: 1,000 one-minute steps of a random walk whose memory per cpu jumps between 3, 4 and 5 GiB
// every minute. No real forecast is this noisy; it shows what the hysteresis trades.
Case jitter() {
  Case c{"jitter-1000", base_demand()};
  std::mt19937 rng(20261129);
  double cpus = 32;
  for (int i = 0; i < 1000; ++i) {
    cpus = std::clamp(cpus + pick(rng, -8, 8) + (pick(rng, 0, 49) == 0 ? 64 : 0), 2.0, 300.0);
    c.demand.steps.push_back(step(i, i + 1, cpus, cpus * pick(rng, 3, 5)));
  }
  c.demand.task_runtime_s = 10 * 60;
  return c;
}

struct CatalogSet {
  std::string name;
  Catalog catalog;
  std::vector<std::string> regions;
  std::vector<PurchaseOption> options;
  Billing billing = Billing::per_second();
};

// One plan in full: what the tool will show.
void show(const Case& c, const CatalogSet& set) {
  Demand d = c.demand;
  d.deadline_s = d.end_s() + 3600;
  d.regions = set.regions;
  d.options = set.options;
  Plan p = make_plan(set.catalog, d);
  fmt::print("\n{} on {}: {} (billing {})\n", c.name, set.name, p.why, p.billing);
  for (const auto& it : p.items)
    fmt::print("  {:>3} x {:<14} {:<9} [{:>5g}, {:>5g}) ${:.4f}  {}\n", it.count, it.instance_type, to_string(it.option),
               it.start_s, it.end_s, it.compute_usd + it.interruption_usd, it.why);
  for (const auto& r : p.regions)
    fmt::print("  region {:<15} total ${:.2f}  bound ${:.2f}  transfer ${:.2f}\n", r.region, r.total_usd, r.lower_bound_usd,
               r.transfer_usd);
  for (const auto& n : p.notes) fmt::print("  note: {}\n", n);
}

void run(const Case& c, const CatalogSet& set, const PlanOptions& options = {}, const std::string& label = "") {
  Demand d = c.demand;
  d.deadline_s = d.end_s() + 3600;  // an hour of slack: room to re-run a task after a spot interruption
  d.regions = set.regions;
  d.options = set.options;
  d.billing = set.billing;
  auto t0 = std::chrono::steady_clock::now();
  Plan p = make_plan(set.catalog, d, options);
  double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
  int instances = 0;
  for (const auto& it : p.items) instances += it.count;
  auto gap = find_uncovered(p, d);
  fmt::print("| {}{} | {} | {} | {:.2f} | {:.2f} | {:.2f} | {:.3f} | {:.2f} | {:.3f} | {} / {} | {:.1f} |{}\n", c.name,
             label, set.name, p.region, p.total_usd, p.interruption_usd, p.lower_bound_usd, p.ratio_to_bound,
             p.naive ? p.naive->total_usd : 0.0, p.ratio_to_naive, p.items.size(), instances, ms,
             gap ? " UNCOVERED: " + *gap : "");
}

}  // namespace

int main(int argc, char** argv) {
  std::filesystem::path dir = argc > 1 ? argv[1] : WF_SHARED_DIR "/catalogs";
  if (!std::filesystem::exists(dir / "aws-ec2.csv") || !std::filesystem::exists(dir / "gcp-compute.csv")) {
    fmt::print(stderr, "bench_plan_cost: note: no catalogs in {}, nothing to measure\n", dir.string());
    return 0;
  }
  try {
    Catalog aws = read_catalog((dir / "aws-ec2.csv").string());
    Catalog gcp = read_catalog((dir / "gcp-compute.csv").string());
    Catalog both = merge_all({aws, gcp});
    const std::vector<PurchaseOption> od{PurchaseOption::on_demand};
    std::vector<CatalogSet> sets{
        {"aws all regions", aws, {}, {}},
        {"aws us-east-1", aws, {"us-east-1"}, {}},
        {"aws, on-demand only", aws, {}, od},
        {"aws, per-hour billing", aws, {}, {}, Billing::per_hour()},
        {"gcp all regions", gcp, {}, {}},
        {"aws+gcp", both, {}, {}},
    };
    std::vector<Case> cases{flat(), fork_join(), long_tail(), diurnal(), scale()};
    fmt::print("| case | catalog | region | plan $ | of which re-run $ | bound $ | plan/bound | naive $ | plan/naive | items / instances | ms |\n");
    fmt::print("|---|---|---|---|---|---|---|---|---|---|---|\n");
    for (const auto& c : cases)
      for (const auto& s : sets) run(c, s);
    show(fork_join(), sets[0]);
    show(fork_join(), sets[2]);
    fmt::print("\nHysteresis (aws us-east-1): merge_gap_s\n\n");
    fmt::print("| case | catalog | region | plan $ | of which re-run $ | bound $ | plan/bound | naive $ | plan/naive | items / instances | ms |\n");
    fmt::print("|---|---|---|---|---|---|---|---|---|---|---|\n");
    for (const Case& c : {scale(), jitter()})
      for (double gap : {0.0, 60.0, 300.0, 900.0}) {
        PlanOptions o;
        o.merge_gap_s = gap;
        run(c, sets[1], o, fmt::format(", merge_gap_s {:g}", gap));
      }
  } catch (const wf::Error& e) {
    fmt::print(stderr, "bench_plan_cost: error: {}\n", e.what());
    return wf::util::code(e.exit());
  }
  return 0;
}
