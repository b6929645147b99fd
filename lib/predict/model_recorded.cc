#include "predict/model_recorded.h"

#include <filesystem>

#include "history/store.h"
#include "io/document.h"
#include "predict/estimate.h"
#include "predict/models.h"

namespace wf::predict {

std::optional<history::Execution> execution_from_recorded(const model::Workflow& wf, const model::Task& task,
                                                          const RecordedRun& run) {
  const model::Recorded& r = task.recorded;
  model::Recorded unmeasured;
  unmeasured.runtime_s = 0;
  if (r.empty() || (r.runtime_s == unmeasured.runtime_s && !r.cores && !r.cpu_percent && !r.mem_bytes &&
                    !r.read_bytes && !r.write_bytes && !r.machine))
    return std::nullopt;
  history::Execution e;
  e.run_id = run.run_id;
  e.workflow = run.workflow;
  e.task_id = task.id;
  e.category = category_of(task);
  e.features = task_features(wf, task);
  e.runtime_s = r.runtime_s;
  if (r.cpu_percent && r.runtime_s) e.cpu_time_s = *r.cpu_percent / 100 * *r.runtime_s;
  auto as_int = [](const std::optional<uint64_t>& v) {
    return v ? std::optional<std::int64_t>(static_cast<std::int64_t>(*v)) : std::nullopt;
  };
  e.peak_rss_bytes = as_int(r.mem_bytes);
  e.read_bytes = as_int(r.read_bytes);
  e.write_bytes = as_int(r.write_bytes);
  e.cpus_reserved = r.cores;
  e.host = r.machine.value_or("");
  e.executor = run.executor;
  e.source = run.source;
  return e;
}

std::vector<history::Execution> executions_from_recorded(const model::Workflow& wf, const RecordedRun& run,
                                                         size_t* skipped) {
  std::vector<history::Execution> out;
  out.reserve(wf.tasks.size());
  for (const auto& task : wf.tasks) {
    if (auto e = execution_from_recorded(wf, task, run))
      out.push_back(std::move(*e));
    else if (skipped)
      ++*skipped;
  }
  return out;
}

history::ImportResult import_wfformat(history::Store& store, const std::string& path, history::ImportOptions options) {
  auto doc = io::Document::load(path);
  if (doc.input_kind() != "wfformat") fail(util::Exit::data, "{}: not a WfFormat instance (it reads as a {})", path, doc.input_kind());
  doc.diagnostics().finish();
  const model::Workflow& wf = doc.workflow();
  if (options.workflow.empty()) options.workflow = wf.name;
  options = history::import_detail::complete(std::move(options), path);
  RecordedRun run{options.run_id, options.workflow, history::import_detail::canonical_source(path)};
  history::Parsed parsed;
  parsed.rows = executions_from_recorded(wf, run, &parsed.skipped);
  for (size_t i = 0; i < parsed.rows.size(); ++i)
    if (auto problem = history::find_problem(parsed.rows[i]))
      fail(util::Exit::data, "{}: task '{}': {}", path, parsed.rows[i].task_id, *problem);
  return history::import_detail::store(store, parsed);
}

}  // namespace wf::predict
