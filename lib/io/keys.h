#pragma once
// A fixed set of member names (the keys of a task, of defaults, ...), classified with one hash
// probe and one comparison: readers look at every member of a million tasks.
#include <array>
#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>
#include <vector>

namespace wf::io {

class KeySet {
 public:
  // At most 64 names; they must outlive the set (string literals).
  KeySet(std::initializer_list<std::string_view> names);

  // The position of `key` in the list given, or -1.
  int find(std::string_view key) const {
    if (key.empty()) return -1;
    for (size_t s = slot(key);; s = (s + 1) % kSlots) {
      int i = table_[s];
      if (i < 0 || equal(names_[static_cast<size_t>(i)], key)) return i;
    }
  }
  // The names, for a did-you-mean.
  const std::vector<std::string>& names() const { return strings_; }

 private:
  static constexpr size_t kSlots = 128;
  // Names are short: a plain loop beats a call to memcmp.
  static bool equal(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) return false;
    for (size_t i = 0; i < a.size(); ++i)
      if (a[i] != b[i]) return false;
    return true;
  }
  static size_t slot(std::string_view key) {
    return (key.size() * 31 + static_cast<unsigned char>(key.front()) * 7 + static_cast<unsigned char>(key.back())) % kSlots;
  }
  std::vector<std::string_view> names_;
  std::vector<std::string> strings_;
  std::array<int8_t, kSlots> table_;
};

}  // namespace wf::io
