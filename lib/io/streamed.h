#pragma once
// A list produced while it is written instead of held in the tree. A million tasks' estimates
// would take a tree of 1.4 GB only to be written once; streamed, one chunk of items lives at a
// time. The tree holds an empty list in the list's place; the writers (write_json, to_yaml) find
// it by address and ask for the items, chunk by chunk, writing exactly what the same items held
// in the tree would have written.
#include <cstddef>
#include <functional>

#include "io/builder.h"
#include "io/json.h"

namespace wf::io {

struct StreamedList {
  size_t count = 0;
  // Adds items [begin, end) to the list the builder has open. Called in order, once per chunk.
  std::function<void(size_t begin, size_t end, Builder& b)> make;
};

// The list written in place of `v`, or nullptr.
const StreamedList* find_streamed(const StreamedLists* lists, const Json& v);

// Calls `each` with every item of `list`, built kStreamChunk at a time in a scratch tree.
inline constexpr size_t kStreamChunk = 4096;
void for_each_streamed(const StreamedList& list, const std::function<void(const Json& item)>& each);

}  // namespace wf::io
