#include "io/keys.h"

namespace wf::io {

KeySet::KeySet(std::initializer_list<std::string_view> names) : names_(names), strings_(names.begin(), names.end()) {
  table_.fill(-1);
  for (size_t i = 0; i < names_.size(); ++i) {
    size_t s = slot(names_[i]);
    while (table_[s] >= 0) s = (s + 1) % kSlots;
    table_[s] = static_cast<int8_t>(i);
  }
}

}  // namespace wf::io
