#pragma once
// Building a tree value by value, the way the parser does: every mapping and list is allocated
// once at its exact size. (RapidJSON 1.1's AddMember starts a mapping at 16 members and grows by
// half, abandoning the old block in the pool: a million tasks of 7 members would waste most of
// their memory.) Use through io::build:
//
//   Json v = io::build(alloc, [&](io::Builder& b) {
//     b.begin_object();
//     b.key("id"); b.string(task.id);
//     b.key("needs"); b.begin_array(); for (auto& n : task.needs) b.string(n); b.end_array();
//     b.end_object();
//   });
#include <cmath>
#include <cstdint>
#include <cstring>
#include <string_view>
#include <vector>

#include "io/json.h"

namespace wf::io {

class Builder {
 public:
  explicit Builder(JsonDoc& doc) : doc_(doc) {}

  void begin_object() {
    added();
    doc_.StartObject();
    open_.push_back({false, 0});
  }
  void end_object() {
    doc_.EndObject(open_.back().count);
    open_.pop_back();
  }
  void begin_array() {
    added();
    doc_.StartArray();
    open_.push_back({true, 0});
  }
  void end_array() {
    doc_.EndArray(open_.back().count);
    open_.pop_back();
  }
  // A member name that lives as long as the tree (a string literal): not copied.
  template <size_t N>
  void key(const char (&literal)[N]) {
    ++open_.back().count;
    doc_.Key(literal, static_cast<rapidjson::SizeType>(N - 1), false);
  }
  void key_copy(std::string_view name) {
    ++open_.back().count;
    doc_.Key(name.data(), static_cast<rapidjson::SizeType>(name.size()), true);
  }

  void null() {
    added();
    doc_.Null();
  }
  void boolean(bool b) {
    added();
    doc_.Bool(b);
  }
  void integer(int64_t i) {
    added();
    doc_.Int64(i);
  }
  void uint(uint64_t u) {
    added();
    doc_.Uint64(u);
  }
  // As io::number: an integer when the value is one (3.0 prints as 3), null when not finite.
  void number(double d) {
    added();
    if (std::isfinite(d) && d == std::floor(d) && std::fabs(d) < 9e15) doc_.Int64(static_cast<int64_t>(d));
    else if (!std::isfinite(d)) doc_.Null();
    else doc_.Double(d);
  }
  void string(std::string_view s) {
    added();
    doc_.String(s.data(), static_cast<rapidjson::SizeType>(s.size()), true);
  }
  // A deep copy of `v` (strings copied whatever their origin).
  void value(const Json& v);

 private:
  struct Open {
    bool array;
    rapidjson::SizeType count;
  };
  void added() {
    if (!open_.empty() && open_.back().array) ++open_.back().count;
  }

  JsonDoc& doc_;
  std::vector<Open> open_;
};

// The value `fill` builds (exactly one), allocated in `a`.
template <typename Fill>
Json build(Alloc& a, Fill&& fill) {
  JsonDoc doc(&a);  // borrows the allocator: the value outlives this document
  Builder builder(doc);
  auto generate = [&](JsonDoc&) {
    fill(builder);
    return true;
  };
  doc.Populate(generate);
  return Json(std::move(static_cast<Json&>(doc)));
}

}  // namespace wf::io
