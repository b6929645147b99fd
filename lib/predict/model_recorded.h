#pragma once
// A trace's recorded measurements (WfFormat instances read by io::Document) as the history rows
// they stand for: how wf-history imports WfFormat, and how the accuracy benchmark trains on the
// smaller instances of a family. Features are task_features(), exactly what wf-run records.
//
// Mapping: runtime_s; cpu_time_s = avgCPU / 100 × runtime; peak_rss_bytes = memory; read/write
// bytes; cpus_reserved = coreCount; host = the first machine. Status succeeded, attempt 1: the
// traces hold completed tasks only. A task with nothing recorded but a zero runtime (what the
// reader gives a task the trace never measured) has no row.
#include <optional>
#include <string>
#include <vector>

#include "history/execution.h"
#include "history/import.h"
#include "model/workflow.h"

namespace wf::predict {

struct RecordedRun {
  std::string run_id;
  std::string workflow;
  std::string source;  // the file's canonical path ("" for rows made in memory)
  std::string executor = "import:wfformat";
};

std::optional<history::Execution> execution_from_recorded(const model::Workflow& wf, const model::Task& task,
                                                          const RecordedRun& run);

// Every measured task's row, in task order; `skipped` (if given) counts the unmeasured ones.
std::vector<history::Execution> executions_from_recorded(const model::Workflow& wf, const RecordedRun& run,
                                                         size_t* skipped = nullptr);

// Imports a WfFormat instance (read by io::Document) into `store` like history's other importers:
// whole or not at all, again adds nothing (rows keyed by the file's canonical path). Run id: the
// option, else the file's stem; workflow: the option, else the instance's name, else the run id.
// Errors: 66 missing, 65 not a WfFormat instance or invalid (FILE:LINE:COL of each problem).
history::ImportResult import_wfformat(history::Store& store, const std::string& path,
                                      history::ImportOptions options = {});

}  // namespace wf::predict
