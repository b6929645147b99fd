#pragma once
// CPU contention: a host whose runnable threads outnumber its CPUs shares them out (processor
// sharing), and a task's computing stretches while its waiting (I/O, sleep) does not.
//
// The model, per task: W seconds of CPU time, computed on d threads, in a runtime R on an idle
// host; it computes a fraction f = (W / d) / R of its time. On a host with N runnable threads and
// C CPUs, each runnable thread progresses at s = min(1, C / N), so the computing part takes
// (W / d) / s and the task runs at a rate s / (s (1 - f) + f) of its idle speed.
//
// What history recorded (wf-run samples the host's runnable threads, history/execution.h) is
// used both ways:
//   - learning: an attempt measured at λ = runnable / cpus > 1 spent (W / d)(λ - 1) more seconds
//     than it would have on an idle host; its runtime is taken back by that much (and its CPU use
//     W / R rises with it), so the predictor learns what a task needs, not the share a loaded host
//     left it;
//   - forecasting: the threads on the host that were not the run's own (its "background") are
//     read off the same rows, and the simulator shares the CPUs between them and the simulated
//     tasks (simulate.h).
// d is what the task computes on, at least: max(1, its reservation, its measured CPU use × λ to
// the nearest whole thread) — on a host at λ a thread shows as 1/λ of a core, so a task running
// more threads than it reserved is still seen running them.
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "history/execution.h"

namespace wf::predict {

// runnable / cpus of the host while the attempt ran; nullopt when history did not record it.
std::optional<double> oversubscription(const history::Execution& e);

// The runtime on an idle host of an attempt that ran `runtime_s` using `cpu_time_s` of CPU at
// oversubscription λ (runnable threads per CPU), on max(1, reserved_cpus, its measured use × λ
// rounded) threads: runtime_s - (cpu_time_s / threads)(λ - 1), at least cpu_time_s / threads; runtime_s
// itself when λ <= 1. The one formula history rows, live attempts and alerts are judged by.
double idle_runtime(double runtime_s, double cpu_time_s, std::optional<double> reserved_cpus, double lambda);

// The runnable threads an attempt competed with, from the mean count its samples saw on a host of
// `cpus` CPUs and the share (0..1) of its lifetime in which some thread on the host waited for a
// CPU (pressure stall information): cpus × (1 + share × (λ − 1)) with λ = runnable / cpus, when
// λ > 1. A thread can only have waited while some thread waited: the counts are instants, and on
// a host whose CPUs were free most of the attempt's life their oversubscription was a passing one.
// `runnable` itself when λ <= 1; the share is clamped to [0, 1].
double pressured_runnable(double runnable, double cpus, double share);

// The runtime the attempt would have had on a host with a CPU for every runnable thread: its
// recorded runtime, less the time it waited for a CPU; at least its CPU time over its threads.
// nullopt without a runtime. The recorded runtime when the host load is unknown or λ <= 1.
std::optional<double> uncontended_runtime(const history::Execution& e);

// The background of one run: for each row with a host load, the host's runnable threads that
// were not the run's own — the recorded runnable threads, less the run's attempts overlapping it
// (each weighted by the overlap, at its CPU use times max(1, λ): a thread waiting for a CPU is
// runnable too). Rows without a load, a start or an end are skipped. At least 0.
std::vector<double> run_background(std::span<const history::Execution> run);

struct Background {
  double runnable = 0;   // threads
  double host_cpus = 0;  // the host's CPUs they were counted on (the median recorded)
  size_t rows = 0, runs = 0;
};

// The background over the rows of a few runs (history::Store::recent_loaded_runs picks them: the
// latest on this host): the median of run_background over every loaded row, run by run, on the
// median of the host CPUs those rows recorded. nullopt when no row recorded a load.
std::optional<Background> background_of(std::span<const history::Execution> rows);

// The share s of a CPU each runnable thread gets with `background` other runnable threads on
// `cpus` CPUs, and the running tasks using used[i] cores on threads[i] threads at idle speed:
// the s in (0, 1] with s * (background + sum of the tasks' runnable threads at s) = cpus, 1 when
// everything fits. A task's runnable threads at s: threads * (f / s) / (1 - f + f / s).
double cpu_share(double background, double cpus, std::span<const double> used, std::span<const double> threads);

// The rate (fraction of its idle speed) at which a task using `used` cores on `threads` threads
// runs when each runnable thread gets a share s of a CPU.
double cpu_rate(double s, double used, double threads);

}  // namespace wf::predict
