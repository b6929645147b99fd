#include "model/workflow.h"

namespace wf::model {

std::optional<uint64_t> Task::input_bytes() const {
  if (inputs.empty()) return std::nullopt;
  uint64_t total = 0;
  bool any = false;
  for (const auto& f : inputs) {
    if (f.size_bytes) {
      total += *f.size_bytes;
      any = true;
    }
  }
  if (!any) return std::nullopt;
  return total;
}

static const Param* find_in(const std::vector<Param>& params, std::string_view name) {
  for (const auto& p : params)
    if (p.name == name) return &p;
  return nullptr;
}

const Param* Workflow::param(std::string_view key) const { return find_in(params, key); }

const Param* find_param(const Workflow& wf, const Task& task, std::string_view name) {
  if (const Param* p = find_in(task.params, name)) return p;
  return wf.param(name);
}

}  // namespace wf::model
