#include "alert/baselines.h"

#include <map>
#include <string>

namespace wf::alert {

namespace {

// The model's quantiles of a measure, when it learned them from enough rows of history (an
// interval from a task's hints or a default is no evidence of what is normal).
std::optional<Expected> from_estimate(const predict::Estimate& e, Measure m, const Thresholds& t) {
  const predict::Quantiles* q = nullptr;
  const predict::Provenance* p = nullptr;
  switch (m) {
    case Measure::runtime_s: q = &e.runtime_s, p = &e.runtime_from; break;
    case Measure::peak_rss_bytes: q = &e.mem_bytes, p = &e.mem_from; break;
    case Measure::read_bytes: q = &e.read_bytes, p = &e.io_from; break;
    case Measure::write_bytes: q = &e.write_bytes, p = &e.io_from; break;
    case Measure::cpu_time_s: return std::nullopt;  // the forecast speaks of cpus, not CPU time
  }
  bool learned = p->source == predict::Source::model || p->source == predict::Source::stats;
  if (!learned || p->samples < t.min_samples || !(q->p99 > 0)) return std::nullopt;
  return expected_from_model(q->p50, q->p99, p->model.empty() ? predict::to_string(p->source) : p->model, p->samples, m, t);
}

}  // namespace

std::vector<TaskBaseline> build_baselines(const model::Workflow& wf, const std::vector<predict::Estimate>* estimates,
                                          const HistoryLoader& history, const Thresholds& t) {
  std::map<std::string, std::array<std::optional<Expected>, kMeasureCount>, std::less<>> by_category;
  auto from_history = [&](const std::string& category) -> const std::array<std::optional<Expected>, kMeasureCount>& {
    auto it = by_category.find(category);
    if (it != by_category.end()) return it->second;
    std::array<std::optional<Expected>, kMeasureCount> e;
    if (history) {
      std::vector<history::Execution> rows = history(category);
      for (Measure m : kMeasures) e[static_cast<size_t>(m)] = expected_from_history(measure_values(rows, m), m, t);
    }
    return by_category.emplace(category, e).first->second;
  };
  std::vector<TaskBaseline> out;
  out.reserve(wf.tasks.size());
  for (size_t i = 0; i < wf.tasks.size(); ++i) {
    const model::Task& task = wf.tasks[i];
    TaskBaseline b{task.id, task.category.empty() ? task.id : task.category, {}};
    const auto& hist = from_history(b.category);
    for (Measure m : kMeasures) {
      std::optional<Expected> e;
      if (estimates && i < estimates->size()) e = from_estimate((*estimates)[i], m, t);
      b.expected[static_cast<size_t>(m)] = e ? e : hist[static_cast<size_t>(m)];
    }
    out.push_back(std::move(b));
  }
  return out;
}

}  // namespace wf::alert
