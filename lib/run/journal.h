#pragma once
// The run journal: one JSON object per line, appended and flushed as each task starts and ends,
// so `kill -9` of wf-run at any instant leaves enough to resume: which tasks succeeded (and with
// which command and inputs), which processes may still be running, and every attempt's
// measurement — the history rows that a killed wf-run had not yet written are recorded on resume.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <sys/types.h>

#include "schedule/policy.h"

namespace wf::run {

// One attempt of a task as it ended: what the run section, the event stream, the journal and
// history hold of it.
struct AttemptResult {
  std::string status;  // succeeded, failed, timeout, oom, interrupted
  std::optional<int> exit_code;
  int signal = 0;
  double start_s = 0, end_s = 0, runtime_s = 0, cpu_time_s = 0;  // start/end: epoch seconds
  uint64_t peak_rss_bytes = 0, read_bytes = 0, write_bytes = 0;
  schedule::Demand reserved;
  // The host's mean runnable threads while it ran and its online CPUs (HostLoad), when sampled.
  std::optional<double> host_runnable, host_cpus;

  // Runnable threads per CPU while it ran, when sampled.
  std::optional<double> oversubscription() const {
    if (!host_runnable || !host_cpus || !(*host_cpus > 0)) return std::nullopt;
    return *host_runnable / *host_cpus;
  }
};

struct JournalEntry {
  std::string event;  // "started" | "finished"
  std::string task;
  int attempt = 0;
  pid_t pid = 0;
  uint64_t pid_start_ticks = 0;  // started (older journals): /proc/PID/stat starttime
  double started_at = 0;         // started: wall clock seconds at the spawn; tells a reused pid from ours
  std::string status;            // finished: succeeded, failed, timeout, oom, interrupted
  std::string fingerprint;       // finished: command and inputs, see fingerprint()
  std::optional<AttemptResult> result;  // finished: the measurement (status repeated in it)
};

class Journal {
 public:
  // Opens (creating) the journal for appending. Throws wf::Error 73 when it cannot.
  explicit Journal(const std::string& path);
  ~Journal();
  Journal(const Journal&) = delete;
  Journal& operator=(const Journal&) = delete;

  // Appends one line and flushes it to the kernel (a crash of wf-run loses nothing written).
  void append(const JournalEntry& e);
  // The same, from the parts (no JournalEntry built: these are on every task's path).
  void append_started(std::string_view task, int attempt, pid_t pid, double started_at);
  void append_finished(std::string_view task, int attempt, pid_t pid, const AttemptResult& result,
                       std::string_view fingerprint);

  // Every entry of a journal, in order. A torn last line (a crash mid-write) is ignored.
  static std::vector<JournalEntry> read(const std::string& path);

 private:
  void write_line();

  int fd_ = -1;
  std::string line_;  // reused between appends
};

// What a task's success depends on: its rendered command and the size and modification time of
// its declared inputs. A task is done on resume only when this is unchanged.
std::string fingerprint(const std::string& command, const std::vector<std::string>& input_paths, const std::string& cwd);

// The start time (in clock ticks since boot) of a live process, or nullopt.
std::optional<uint64_t> process_start_ticks(pid_t pid);

// Whether the process `e.pid` is still the one a "started" entry recorded: alive, not a zombie,
// and started at the recorded time (ticks, or wall clock within 2 s: /proc/stat's boot time has
// a one-second resolution, and a pid is never reused within seconds of its last use).
bool still_running(const JournalEntry& e);

}  // namespace wf::run
