#pragma once
// Synthetic runs whose truth is known, for the feedback tests: a workflow, its forecast, and a
// small executor that drives an Observer the way run::Executor does (starts by the same policy,
// samples every step, ends), on a FakeClock, with each task taking its forecast times a known
// factor. And a Resizer fake that answers when told.
#include <deque>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "control/resizer.h"
#include "model/dag.h"
#include "model/workflow.h"
#include "predict/estimate.h"
#include "run/observer.h"
#include "schedule/policy.h"
#include "util/clock.h"

namespace wf::control::testing {

struct Synthetic {
  model::Workflow wf;
  std::vector<schedule::TaskInfo> info;        // what the executor reserves
  std::vector<predict::Estimate> estimates;    // the forecast
  std::vector<double> true_runtime_s;          // what each task really takes
  std::vector<double> true_rss_bytes;

  // Task `id` in `category`, forecast p50 `runtime_s` (p95 = 1.5x), reserving `cpus` and `mem`.
  void add(const std::string& id, const std::string& category, std::vector<std::string> needs, double runtime_s, double cpus,
           double mem_bytes, double truth_factor);
};

// A stream: a chain of `n` fetches (1 s, 0.1 cpu) each feeding a worker (`work_s`, 1 cpu); the
// workers at once grow with work_s / 1 s. Real time = forecast × `factor` for the workers.
Synthetic stream(size_t n, double work_s, double factor);

struct SyntheticRun {
  double makespan_s = 0;
  std::vector<std::pair<double, schedule::Capacity>> capacity_changes;
  double cpu_s = 0;  // the executor's capacity integrated over the run
  double max_wait_ready = 0;  // the most tasks ever ready but not started
};

// Runs `s` under `capacity`, handing every start, sample (every `step_s`) and end to `observer`.
SyntheticRun drive(const Synthetic& s, const model::Dag& dag, schedule::Capacity capacity, run::Observer* observer,
                   util::FakeClock& clock, double step_s = 0.25);

class FakeResizer final : public Resizer {
 public:
  std::vector<schedule::Capacity> requests;
  bool refuse = false;
  int answer_after_polls = 0;  // polls before the answer appears (a slow provider)

  std::string what() const override { return "fake lease"; }
  void request(const schedule::Capacity& want) override;
  std::optional<Grant> poll() override;
  void wait() override { pending_polls_ = 0; }

 private:
  std::optional<schedule::Capacity> asked_;
  int pending_polls_ = 0;
};

}  // namespace wf::control::testing
