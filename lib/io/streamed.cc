#include "io/streamed.h"

#include <algorithm>

namespace wf::io {

const StreamedList* find_streamed(const StreamedLists* lists, const Json& v) {
  if (!lists) return nullptr;
  for (const auto& [at, list] : *lists)
    if (at == &v) return list;
  return nullptr;
}

void for_each_streamed(const StreamedList& list, const std::function<void(const Json& item)>& each) {
  for (size_t begin = 0; begin < list.count; begin += kStreamChunk) {
    size_t end = std::min(list.count, begin + kStreamChunk);
    JsonDoc scratch;
    Json items = build(scratch.GetAllocator(), [&](Builder& b) {
      b.begin_array();
      list.make(begin, end, b);
      b.end_array();
    });
    for (const auto& item : items.GetArray()) each(item);
  }
}

}  // namespace wf::io
