#pragma once
// The predictor: per-task estimates learned from history. For each category it fits, once, a model
// per measure (model_category.h: the median, or a robust log-log regression on the task's features
// when that wins on held-out data), with quantiles calibrated on held-out residuals
// (fit_quantiles.h); each task then costs one evaluation.
//
// Fallbacks, per measure: the category's history (Source::model / stats); else the task's declared
// hints (duration_s, cpus, mem_bytes; Source::hints); else a default, said so (Source::fallback:
// 60 s, 1 cpu, 2 GiB, no I/O). A task's own `recorded` measurement is never used: it is the ground
// truth the predictions are scored against.
//
// Deterministic: the same history and workflow give the same estimates. Not thread-safe (the fits
// are cached on first use); a Store-backed predictor reads each category from the store once.
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "history/execution.h"
#include "model/workflow.h"
#include "predict/estimate.h"
#include "predict/model_category.h"
#include "predict/model_measure.h"

namespace wf::history {
class Store;
}

namespace wf::predict {

// What a task gets when nothing at all is known of it.
inline constexpr double kDefaultRuntimeS = 60;
inline constexpr double kDefaultCpus = 1;
inline constexpr double kDefaultMemBytes = 2.0 * 1024 * 1024 * 1024;

class Predictor {
 public:
  // Learns from `store` (which must outlive the predictor): every row of a category, succeeded or
  // not (an OOM-killed attempt bounds memory from below; see model_category.h).
  explicit Predictor(history::Store& store, PredictorOptions options = {});
  // Learns from rows held in memory (tests, benchmarks), grouped by category in their given order.
  static Predictor from_executions(std::span<const history::Execution> rows, PredictorOptions options = {});

  Estimate estimate(const model::Workflow& wf, const model::Task& task);

  // The category's fit, fitted on first use; one with no executions when history has none.
  const CategoryFit& fit(std::string_view category);

  const PredictorOptions& options() const { return options_; }

 private:
  using Loader = std::function<std::vector<history::Execution>(std::string_view category)>;
  Predictor(Loader load, PredictorOptions options);

  Loader load_;
  PredictorOptions options_;
  std::map<std::string, std::unique_ptr<const CategoryFit>, std::less<>> cache_;
};

// The history key of a task: its category, else its id.
const std::string& category_of(const model::Task& task);

// Every task's estimate, in the workflow's task order (what wf-predict's simulator consumes).
std::vector<Estimate> estimate_all(Predictor& predictor, const model::Workflow& wf);

}  // namespace wf::predict
