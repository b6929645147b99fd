#pragma once
// One task attempt, as measured: the row the history store keeps and the predictor learns from.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace wf::history {

enum class Status { succeeded, failed, timeout, oom, interrupted, cancelled };

std::string_view to_string(Status s);
// nullopt for anything but the six lower-case names above.
std::optional<Status> parse_status(std::string_view s);

// Feature names shared by every writer, so the predictor finds the same key whatever recorded it.
// Task parameters go in as "param.<name>".
inline constexpr std::string_view kFeatureInputBytes = "input_bytes";  // total input size
inline constexpr std::string_view kFeatureCpus = "cpus";               // cpus the task declared

// Executors known today: "local", "slurm", "import:nextflow", "import:wfformat", "import:sacct".
// The store accepts any non-empty name so a new executor needs no schema change.
struct Execution {
  std::int64_t id = 0;  // assigned by the store; 0 on a row not yet recorded

  std::string run_id;
  std::string workflow;
  std::string task_id;
  std::string category;  // the history key the predictor groups by
  // The attempt's id in the system that ran it (Nextflow task id, Slurm job id); "" for wf-run.
  // Part of the idempotence key: Nextflow may run two tasks of one name in one run.
  std::string native_id;

  // Unique names, in any order on write; reads always return them sorted by name.
  std::vector<std::pair<std::string, double>> features;

  std::optional<double> start_s;  // epoch seconds
  std::optional<double> end_s;
  std::optional<double> runtime_s;
  std::optional<double> cpu_time_s;  // user + system
  std::optional<std::int64_t> peak_rss_bytes;
  std::optional<std::int64_t> read_bytes;
  std::optional<std::int64_t> write_bytes;
  std::optional<int> exit_code;
  int signal = 0;  // the signal that ended it, 0 if none
  Status status = Status::succeeded;
  int attempt = 1;  // 1-based
  std::optional<std::int64_t> mem_reserved_bytes;  // what it was given
  std::optional<double> cpus_reserved;
  std::string host;
  // The host's CPU load while it ran: the mean number of runnable threads on the whole host (its
  // own included, the sampler's not) over the samples taken during it, tempered by the share of
  // its life in which some thread waited for a CPU (run/executor.cc, predict::pressured_runnable),
  // and the host's online CPUs. Both or neither; recorded by wf-run's local executor for attempts
  // a sample saw, absent from imports. The predictor takes a runtime measured on an
  // oversubscribed host (runnable > cpus) back to what it would have been on an idle one.
  std::optional<double> host_runnable;
  std::optional<double> host_cpus;
  std::string executor = "local";
  std::string source;  // absolute path of the file it was imported from; "" when recorded live

  friend bool operator==(const Execution&, const Execution&) = default;
};

// The first problem with a row, if any: empty run_id/task_id/category/executor, attempt < 1, a
// negative signal, a negative or non-finite measurement, end before start, an empty, duplicate or
// non-finite feature.
std::optional<std::string> find_problem(const Execution& e);
// Throws wf::Error (exit 65) "history: <describe(e)>: <problem>" when find_problem() finds one.
void validate(const Execution& e);

// "run 'r1' task 'align' attempt 2", for messages.
std::string describe(const Execution& e);

}  // namespace wf::history
