#pragma once
// The run journal of a Slurm run: the local journal's format (run/journal.h: one JSON object per
// line, appended and flushed per event) where "started" means "handed to Slurm" and carries the
// job id in place of a pid:
//   {"event":"started","task":"align","attempt":1,"job_id":"812","executor":"slurm"}
//   {"event":"finished","task":"align","attempt":1,"job_id":"812","status":"succeeded","fingerprint":"..."}
// A task resubmitted because an ancestor was retried gets a new "started" line with the same
// attempt and the new job id: the last "started" of a task names its live job. Readers of the
// local format see no pid and so never signal anything.
#include <string>
#include <vector>

#include "model/workflow.h"

namespace wf::run {

struct SlurmJournalEntry {
  std::string event;  // started | finished
  std::string task;
  int attempt = 0;
  std::string job_id;
  std::string status;       // finished
  std::string fingerprint;  // finished and succeeded
};

class SlurmJournal {
 public:
  // Opens (creating) for appending; wf::Error 73 when it cannot.
  explicit SlurmJournal(const std::string& path);
  ~SlurmJournal();
  SlurmJournal(const SlurmJournal&) = delete;
  SlurmJournal& operator=(const SlurmJournal&) = delete;

  void append(const SlurmJournalEntry& e);
  // Every entry, in order; a torn last line (a crash mid-write) and lines without a job id (a
  // local run's) are ignored.
  static std::vector<SlurmJournalEntry> read(const std::string& path);

 private:
  int fd_ = -1;
};

// Where an earlier invocation left each task (in the workflow's order).
struct SlurmResume {
  bool done = false;    // succeeded with the command and inputs it has now
  std::string job_id;   // a job handed to Slurm and not seen to finish: follow it, not resubmit
  int attempts = 0;     // attempts made so far (the next is attempts + 1; a followed job is its own)
};

// `fingerprints[i]` is fingerprint() of task i as it would run now (run/journal.h).
std::vector<SlurmResume> slurm_resume_state(const model::Workflow& wf, const std::vector<SlurmJournalEntry>& entries,
                                            const std::vector<std::string>& fingerprints);

}  // namespace wf::run
