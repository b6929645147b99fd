#pragma once
// The dependency graph of a validated workflow, as compressed adjacency (CSR) over task indices.
// Built once; every algorithm (levels, critical path, scheduling, simulation) works on indices.
#include <cstdint>
#include <span>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "model/id_index.h"
#include "model/workflow.h"

namespace wf::model {

class Dag {
 public:
  // Precondition: ids are unique (analyze::validate checks it). A `needs` naming no task, or the
  // task itself, adds no edge (validate reports those).
  explicit Dag(const Workflow& wf);
  // The same, with an index of wf already built (validation builds one; ids are hashed once).
  Dag(const Workflow& wf, const IdIndex& index);

  uint32_t size() const { return static_cast<uint32_t>(parent_off_.size() - 1); }
  std::span<const uint32_t> parents(uint32_t t) const {
    return {parent_idx_.data() + parent_off_[t], parent_idx_.data() + parent_off_[t + 1]};
  }
  std::span<const uint32_t> children(uint32_t t) const {
    return {child_idx_.data() + child_off_[t], child_idx_.data() + child_off_[t + 1]};
  }
  // A topological order (Kahn's algorithm; ties by index, so deterministic). Empty if cyclic.
  const std::vector<uint32_t>& topo_order() const { return topo_; }
  bool acyclic() const { return topo_.size() == size(); }

 private:
  std::vector<uint32_t> parent_off_, parent_idx_, child_off_, child_idx_, topo_;
};

// id -> index, for a workflow with unique ids. IdIndex is the lighter choice for big workflows.
std::unordered_map<std::string_view, uint32_t> index_by_id(const Workflow& wf);

}  // namespace wf::model
