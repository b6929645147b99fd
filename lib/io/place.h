#pragma once
// Where a value sits in the input, as a JSON pointer composed only when a message needs one:
// reading a million tasks builds no pointer string unless something is wrong.
#include <string>
#include <string_view>

#include "io/json.h"

namespace wf::io {

class Place {
 public:
  explicit Place(std::string_view pointer) : base_(pointer) {}
  // A member or an item of the value at `parent`, which must outlive this Place.
  Place(const Place& parent, std::string_view key) : parent_(&parent), key_(key), keyed_(true) {}
  Place(const Place& parent, size_t index) : parent_(&parent), index_(index) {}

  std::string pointer() const {
    if (!parent_) return std::string(base_);
    return keyed_ ? pointer_join(parent_->pointer(), key_) : pointer_join(parent_->pointer(), index_);
  }

 private:
  const Place* parent_ = nullptr;
  std::string_view base_, key_;
  size_t index_ = 0;
  bool keyed_ = false;
};

}  // namespace wf::io
