#include "analyze/validate.h"

#include <algorithm>
#include <unordered_map>

#include <fmt/format.h>

#include "io/json.h"
#include "model/command.h"
#include "model/id_index.h"
#include "util/strings.h"

namespace wf::analyze {
namespace {

// Candidate ids for a did-you-mean; on huge workflows only a sample is searched (the hint is a
// courtesy, never worth quadratic time).
std::vector<std::string> hint_candidates(const model::Workflow& wf) {
  std::vector<std::string> ids;
  size_t step = std::max<size_t>(1, wf.tasks.size() / 20000);
  for (size_t i = 0; i < wf.tasks.size(); i += step) ids.push_back(wf.tasks[i].id);
  return ids;
}

void check_ids(const io::Document& doc, const model::IdIndex& index, io::Diagnostics& diags) {
  const auto& tasks = doc.workflow().tasks;
  for (auto [task, first] : index.duplicates()) {
    if (diags.errors_full()) {
      diags.count_error();  // its message would not be shown: skip finding the first one's position
      continue;
    }
    diags.error(doc.task_pointer(task), fmt::format("duplicate task id '{}' (first defined at {})", tasks[task].id,
                                                    doc.locator().where(doc.task_pointer(first))));
  }
}

// The needs of task i one by one: unknown, self, listed twice.
void check_task_needs(const io::Document& doc, uint32_t i, const model::IdIndex& index, std::vector<std::string>& candidates,
                      io::Diagnostics& diags) {
  const auto& wf = doc.workflow();
  const auto& t = wf.tasks[i];
  for (size_t k = 0; k < t.needs.size(); ++k) {
    const std::string& need = t.needs[k];
    auto ptr = [&] { return io::pointer_join(io::pointer_join(doc.task_pointer(i), "needs"), k); };
    if (need == t.id) {
      diags.error(ptr(), fmt::format("task '{}' needs itself", t.id));
    } else if (!index.find(need)) {
      if (diags.errors_full()) {
        diags.count_error();
      } else {
        if (candidates.empty()) candidates = hint_candidates(wf);
        auto near = util::closest(need, candidates);
        diags.error(ptr(), fmt::format("task '{}' needs unknown task '{}'{}", t.id, need,
                                       near ? fmt::format(" (did you mean '{}'?)", *near) : ""));
      }
    }
    for (size_t j = 0; j < k; ++j)
      if (t.needs[j] == need) {
        diags.warning(ptr(), fmt::format("task '{}' lists '{}' twice in needs", t.id, need));
        break;
      }
  }
}

// The DAG has an edge for every need that names another task: with unique ids, a task with as
// many parents as needs, none repeated, is sound and needs no look-up; the others are checked one
// need at a time.
void check_needs(const io::Document& doc, const model::IdIndex& index, const model::Dag& dag, io::Diagnostics& diags) {
  const auto& wf = doc.workflow();
  std::vector<std::string> candidates;
  bool unique_ids = index.duplicates().empty();
  for (uint32_t i = 0; i < wf.tasks.size(); ++i) {
    auto parents = dag.parents(i);
    bool sound = unique_ids && parents.size() == wf.tasks[i].needs.size();
    for (size_t k = 1; sound && k < parents.size(); ++k)
      for (size_t j = 0; j < k && sound; ++j) sound = parents[j] != parents[k];
    if (!sound) check_task_needs(doc, i, index, candidates, diags);
  }
}

void check_placeholders(const io::Document& doc, io::Diagnostics& diags) {
  const auto& wf = doc.workflow();
  for (uint32_t i = 0; i < wf.tasks.size(); ++i) {
    const auto& t = wf.tasks[i];
    std::vector<std::string> names = t.run.shell ? model::placeholders(t.run.script) : std::vector<std::string>{};
    for (const auto& arg : t.run.argv)
      for (auto& n : model::placeholders(arg)) names.push_back(std::move(n));
    for (const auto& name : names) {
      if (model::find_param(wf, t, name)) continue;
      std::vector<std::string> known;
      for (const auto& p : wf.params) known.push_back(p.name);
      for (const auto& p : t.params) known.push_back(p.name);
      auto near = util::closest(name, known);
      diags.error(io::pointer_join(doc.task_pointer(i), "run"),
                  fmt::format("task '{}' uses unknown param '{{{{{}}}}}'{}", t.id, name,
                              near ? fmt::format(" (did you mean '{}'?)", *near) : ""));
    }
  }
}

// After Kahn's algorithm, the tasks left have a cycle among them or downstream of one. Walk
// parents from one until a task repeats: that loop is a cycle. Report each cycle once.
void report_cycles(const io::Document& doc, const model::Dag& dag, io::Diagnostics& diags) {
  const auto& tasks = doc.workflow().tasks;
  std::vector<char> sorted(dag.size(), 0), reported(dag.size(), 0);
  for (uint32_t t : dag.topo_order()) sorted[t] = 1;
  int cycles = 0;
  for (uint32_t start = 0; start < dag.size() && cycles < 10; ++start) {
    if (sorted[start] || reported[start]) continue;
    std::vector<uint32_t> path;
    std::unordered_map<uint32_t, size_t> at;
    uint32_t t = start;
    while (!at.count(t)) {
      at[t] = path.size();
      path.push_back(t);
      uint32_t next = t;
      for (uint32_t p : dag.parents(t))
        if (!sorted[p]) {
          next = p;
          break;
        }
      t = next;
    }
    // path[at[t]..] walks parents; print it in the order of execution (parent -> child).
    std::vector<uint32_t> cycle(path.begin() + static_cast<long>(at[t]), path.end());
    std::reverse(cycle.begin(), cycle.end());
    bool seen = false;
    for (uint32_t c : cycle) seen = seen || reported[c];
    for (uint32_t c : path) reported[c] = 1;
    if (seen) continue;
    // Start the printed cycle at its smallest index, so the message is stable.
    auto first = std::min_element(cycle.begin(), cycle.end());
    std::rotate(cycle.begin(), first, cycle.end());
    std::string text;
    for (uint32_t c : cycle) text += tasks[c].id + " -> ";
    text += tasks[cycle.front()].id;
    diags.error(doc.task_pointer(cycle.front()), fmt::format("dependency cycle: {}", text));
    ++cycles;
  }
}

}  // namespace

std::optional<model::Dag> validate(const io::Document& doc, io::Diagnostics& diags) {
  size_t before = diags.error_count();
  // One index for the checks and the DAG. With duplicate ids the edges are ambiguous (they go to
  // the first task of that id): cycles are looked for only without them.
  model::IdIndex index(doc.workflow());
  check_ids(doc, index, diags);
  bool unique_ids = index.duplicates().empty();
  model::Dag dag(doc.workflow(), index);  // unknown and self dependencies are left out of it
  check_needs(doc, index, dag, diags);
  check_placeholders(doc, diags);
  if (!unique_ids) return std::nullopt;
  if (!dag.acyclic()) report_cycles(doc, dag, diags);
  if (diags.error_count() != before || !dag.acyclic()) return std::nullopt;
  return dag;
}

model::Dag checked_dag(io::Document& doc) {
  io::Diagnostics& diags = doc.diagnostics();
  auto dag = validate(doc, diags);
  diags.finish();
  return std::move(*dag);
}

}  // namespace wf::analyze
