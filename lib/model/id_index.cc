#include "model/id_index.h"

#include <algorithm>
#include <bit>
#include <cstring>

namespace wf::model {
namespace {

uint64_t mix(uint64_t x) {
  x ^= x >> 32;
  x *= 0xd6e8feb86659fd93ULL;
  x ^= x >> 32;
  return x;
}

}  // namespace

// Eight bytes at a time, multiplied in (ids are short; quality matters less than speed here, the
// table resolves collisions by comparing the ids).
uint64_t IdIndex::hash(std::string_view id) {
  uint64_t h = 0x9e3779b97f4a7c15ULL ^ id.size();
  const char* p = id.data();
  size_t n = id.size();
  for (; n >= 8; p += 8, n -= 8) {
    uint64_t w;
    std::memcpy(&w, p, 8);
    h = mix(h ^ w) * 0x9e3779b97f4a7c15ULL;
  }
  uint64_t w = 0;
  std::memcpy(&w, p, n);
  return mix(h ^ w ^ (static_cast<uint64_t>(n) << 59));
}

IdIndex::IdIndex(const Workflow& wf) : tasks_(&wf.tasks) {
  const auto& tasks = wf.tasks;
  size_t capacity = std::bit_ceil(std::max<size_t>(16, tasks.size() * 2));
  slots_.assign(capacity, Slot{});
  mask_ = capacity - 1;
  for (uint32_t i = 0; i < tasks.size(); ++i) {
    const std::string& id = tasks[i].id;
    uint64_t h = hash(id);
    uint32_t tag = static_cast<uint32_t>(h >> 32);
    for (uint64_t s = h & mask_;; s = (s + 1) & mask_) {
      Slot& slot = slots_[s];
      if (slot.index == 0) {
        slot = {tag, i + 1};
        break;
      }
      if (slot.tag == tag && tasks[slot.index - 1].id == id) {
        duplicates_.emplace_back(i, slot.index - 1);
        break;
      }
    }
  }
}

std::optional<uint32_t> IdIndex::find(std::string_view id) const {
  if (slots_.empty()) return std::nullopt;
  uint64_t h = hash(id);
  uint32_t tag = static_cast<uint32_t>(h >> 32);
  for (uint64_t s = h & mask_;; s = (s + 1) & mask_) {
    const Slot& slot = slots_[s];
    if (slot.index == 0) return std::nullopt;
    if (slot.tag == tag && (*tasks_)[slot.index - 1].id == id) return slot.index - 1;
  }
}

}  // namespace wf::model
