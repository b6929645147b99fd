#pragma once
// A discrete-event simulation of a run, driven by per-task draws and scheduled by the same policy
// code as wf-run (schedule::Policy), so what is forecast is the schedule that will run.
//
// Each task reserves its p95 cpus (schedule::cpu_reservation) and memory, what wf-run reserves, and, while it runs, uses its
// drawn cpus, memory and I/O. With a finite I/O bandwidth, tasks doing I/O share it: when their
// combined rate exceeds it, every one of them slows down by the same factor (a fluid model), and
// the delay cascades to their successors. With a finite number of CPUs, tasks share them with
// each other and with the host's background threads (contention.h): when the runnable threads
// outnumber the CPUs, every task's computing slows down by the share each thread gets, its waiting
// does not. A task slowed both ways runs at the lesser of the two rates.
#include <cstdint>
#include <optional>
#include <vector>

#include "model/dag.h"
#include "predict/estimate.h"
#include "schedule/policy.h"

namespace wf::predict {

struct SimTask {
  double runtime_s = 0;          // drawn, at full speed
  double io_bytes = 0;           // drawn read + write
  double used_cpus = 0, used_mem_bytes = 0;  // drawn usage while running
  schedule::Demand reserved;     // what the scheduler reserves (the p95)
  double expected_s = 0;         // the p50, for the policy's ranks
  int priority = 0;
  double release_s = 0;          // not before (a staggered copy of the workflow)
};

// What else runs on the host (contention.h): runnable threads that are not the simulated tasks',
// and the host's CPUs that they and the tasks share (unset: the capacity's cpus, the run's share
// of the host, which its scheduler fills; tasks are not pinned to CPUs).
struct HostBackground {
  double runnable = 0;
  std::optional<double> host_cpus;
};

struct SimCapacity {
  std::optional<double> cpus, mem_bytes;      // unset: unlimited
  std::optional<double> io_bytes_per_s;        // unset: no contention
  HostBackground background;                   // counted only with `cpus`
};

struct SimResult {
  std::vector<double> start, end;  // per task
  double makespan_s = 0;
  double slowdown_s = 0;           // total time tasks lost to contention (I/O, CPU)
};

// One simulated run. Unlimited capacity without contention takes a linear sweep; otherwise events.
SimResult simulate(const model::Dag& dag, const std::vector<SimTask>& tasks, const SimCapacity& capacity);

// Demand at an instant of a simulated run.
struct DemandPoint {
  double t_s = 0;
  double tasks = 0, reserved_cpus = 0, reserved_mem_bytes = 0, used_cpus = 0, used_mem_bytes = 0, io_bytes_per_s = 0;
};

// The run's demand as a step function (a point holds until the next).
std::vector<DemandPoint> demand_profile(const std::vector<SimTask>& tasks, const SimResult& run);

// The maximum of each measure over a profile.
DemandPoint peaks(const std::vector<DemandPoint>& profile);

}  // namespace wf::predict
