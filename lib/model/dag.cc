#include "model/dag.h"

namespace wf::model {

std::unordered_map<std::string_view, uint32_t> index_by_id(const Workflow& wf) {
  std::unordered_map<std::string_view, uint32_t> index;
  index.reserve(wf.tasks.size() * 2);
  for (uint32_t i = 0; i < wf.tasks.size(); ++i) index.emplace(wf.tasks[i].id, i);
  return index;
}

Dag::Dag(const Workflow& wf) {
  const uint32_t n = static_cast<uint32_t>(wf.tasks.size());
  auto index = index_by_id(wf);
  parent_off_.assign(n + 1, 0);
  child_off_.assign(n + 1, 0);
  for (uint32_t t = 0; t < n; ++t) {
    for (const auto& need : wf.tasks[t].needs) {
      auto it = index.find(need);
      if (it == index.end() || it->second == t) continue;
      ++parent_off_[t + 1];
      ++child_off_[it->second + 1];
    }
  }
  for (uint32_t t = 0; t < n; ++t) {
    parent_off_[t + 1] += parent_off_[t];
    child_off_[t + 1] += child_off_[t];
  }
  parent_idx_.resize(parent_off_[n]);
  child_idx_.resize(child_off_[n]);
  std::vector<uint32_t> child_fill(child_off_.begin(), child_off_.end() - 1);
  for (uint32_t t = 0; t < n; ++t) {
    uint32_t p = parent_off_[t];
    for (const auto& need : wf.tasks[t].needs) {
      auto it = index.find(need);
      if (it == index.end() || it->second == t) continue;
      parent_idx_[p++] = it->second;
      child_idx_[child_fill[it->second]++] = t;
    }
  }
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
