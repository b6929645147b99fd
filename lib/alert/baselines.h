#pragma once
// What each task of a workflow is expected to measure, before the run starts: the model's
// interval from the document's prediction where it learned from enough rows, else robust
// statistics over the category's history (rules.h). Built once, before the executor runs (the
// history store belongs to the executor's writer thread while it runs).
#include <functional>
#include <optional>
#include <string_view>
#include <vector>

#include "alert/detector.h"
#include "alert/history_values.h"
#include "alert/rules.h"
#include "history/execution.h"
#include "model/workflow.h"
#include "predict/estimate.h"

namespace wf::alert {

// A category's succeeded executions, most recent last (a Store's samples(), or rows in memory).
using HistoryLoader = std::function<std::vector<history::Execution>(std::string_view category)>;

// Per task of `wf`, in its order. `estimates` (the prediction's, in task order) may be null;
// `history` may be empty (no store: only the prediction counts). Each category is loaded once.
std::vector<TaskBaseline> build_baselines(const model::Workflow& wf, const std::vector<predict::Estimate>* estimates,
                                          const HistoryLoader& history, const Thresholds& thresholds);

}  // namespace wf::alert
