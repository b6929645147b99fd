#pragma once
// Task id -> task index, for workflows of millions of tasks: one flat open-addressing table of
// (hash, index) pairs, no node per id; the ids themselves stay in the workflow. Built once and
// shared by validation and the Dag, so ids are hashed once per run.
#include <cstdint>
#include <optional>
#include <string_view>
#include <utility>
#include <vector>

#include "model/workflow.h"

namespace wf::model {

class IdIndex {
 public:
  IdIndex() = default;
  // Indexes wf.tasks. The workflow must outlive the index and keep its tasks (ids are read from it).
  // An id seen twice keeps its first index; the later ones are listed by duplicates().
  explicit IdIndex(const Workflow& wf);

  std::optional<uint32_t> find(std::string_view id) const;
  // (task, first task with the same id), in task order.
  const std::vector<std::pair<uint32_t, uint32_t>>& duplicates() const { return duplicates_; }
  size_t size() const { return tasks_ ? tasks_->size() : 0; }

  static uint64_t hash(std::string_view id);

 private:
  struct Slot {
    uint32_t tag = 0;    // high bits of the hash, to skip most string comparisons
    uint32_t index = 0;  // task index + 1; 0 marks an empty slot
  };
  const std::vector<Task>* tasks_ = nullptr;
  std::vector<Slot> slots_;
  uint64_t mask_ = 0;
  std::vector<std::pair<uint32_t, uint32_t>> duplicates_;
};

}  // namespace wf::model
