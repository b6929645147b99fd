#include "model/dag.h"

namespace wf::model {

std::unordered_map<std::string_view, uint32_t> index_by_id(const Workflow& wf) {
  std::unordered_map<std::string_view, uint32_t> index;
  index.reserve(wf.tasks.size() * 2);
  for (uint32_t i = 0; i < wf.tasks.size(); ++i) index.emplace(wf.tasks[i].id, i);
  return index;
}

Dag::Dag(const Workflow& wf) : Dag(wf, IdIndex(wf)) {}

Dag::Dag(const Workflow& wf, const IdIndex& index) {
  const uint32_t n = static_cast<uint32_t>(wf.tasks.size());
  // Parents are resolved in one pass (one lookup per need), grouped by task already.
  size_t needs = 0;
  for (const auto& t : wf.tasks) needs += t.needs.size();
  parent_off_.resize(n + 1);
  parent_idx_.reserve(needs);
  parent_off_[0] = 0;
  for (uint32_t t = 0; t < n; ++t) {
    for (const auto& need : wf.tasks[t].needs) {
      auto p = index.find(need);
      if (p && *p != t) parent_idx_.push_back(*p);
    }
    parent_off_[t + 1] = static_cast<uint32_t>(parent_idx_.size());
  }
  // Children: counted, then filled in task order, so each child list is sorted by index.
  child_off_.assign(n + 1, 0);
  for (uint32_t p : parent_idx_) ++child_off_[p + 1];
  for (uint32_t t = 0; t < n; ++t) child_off_[t + 1] += child_off_[t];
  child_idx_.resize(parent_idx_.size());
  std::vector<uint32_t> child_fill(child_off_.begin(), child_off_.end() - 1);
  for (uint32_t t = 0; t < n; ++t)
    for (uint32_t p : parents(t)) child_idx_[child_fill[p]++] = t;
  // Kahn's algorithm with a FIFO over indices: deterministic, linear.
  std::vector<uint32_t> pending(n);
  topo_.reserve(n);
  for (uint32_t t = 0; t < n; ++t) {
    pending[t] = parent_off_[t + 1] - parent_off_[t];
    if (pending[t] == 0) topo_.push_back(t);
  }
  for (size_t head = 0; head < topo_.size(); ++head) {
    for (uint32_t c : children(topo_[head]))
      if (--pending[c] == 0) topo_.push_back(c);
  }
}

}  // namespace wf::model
