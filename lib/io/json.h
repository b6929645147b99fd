#pragma once
// The document tree: RapidJSON values (compact, fast, insertion-ordered objects). These helpers
// keep call sites short; every value lives in the allocator of the Json document that owns it.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <rapidjson/document.h>

#include "io/sink.h"

namespace wf::io {

using Json = rapidjson::Value;
using JsonDoc = rapidjson::Document;
using Alloc = rapidjson::Document::AllocatorType;

// Lists written in place of empty placeholders of the tree (io/streamed.h), by address.
struct StreamedList;
using StreamedLists = std::vector<std::pair<const Json*, const StreamedList*>>;

inline Json str(std::string_view s, Alloc& a) {
  return Json(s.data(), static_cast<rapidjson::SizeType>(s.size()), a);
}
inline std::string_view view(const Json& v) { return {v.GetString(), v.GetStringLength()}; }

// Member lookup: nullptr when `obj` is not an object or has no such key.
const Json* get(const Json& obj, std::string_view key);
Json* get(Json& obj, std::string_view key);

// Sets obj[key] = value, replacing an existing member (keeps its position).
void put(Json& obj, std::string_view key, Json value, Alloc& a);
inline void put(Json& obj, std::string_view key, std::string_view value, Alloc& a) { put(obj, key, str(value, a), a); }
inline void put(Json& obj, std::string_view key, const char* value, Alloc& a) { put(obj, key, str(value, a), a); }
inline void put(Json& obj, std::string_view key, const std::string& value, Alloc& a) { put(obj, key, str(value, a), a); }
inline void put(Json& obj, std::string_view key, double value, Alloc& a) { put(obj, key, Json(value), a); }
inline void put(Json& obj, std::string_view key, int64_t value, Alloc& a) { put(obj, key, Json(value), a); }
inline void put(Json& obj, std::string_view key, uint64_t value, Alloc& a) { put(obj, key, Json(value), a); }
inline void put(Json& obj, std::string_view key, int value, Alloc& a) { put(obj, key, Json(value), a); }
inline void put(Json& obj, std::string_view key, bool value, Alloc& a) { put(obj, key, Json(value), a); }
template <typename T>
void put(Json& obj, std::string_view key, const std::optional<T>& value, Alloc& a) {
  if (value) put(obj, key, *value, a);
}

// A number that is an integer when it is one (so 3.0 prints as 3), else a double.
Json number(double value);

// Typed reads that return nullopt when the member is absent or of another type.
std::optional<double> get_number(const Json& obj, std::string_view key);
std::optional<std::string_view> get_string(const Json& obj, std::string_view key);

// JSON text, ending with a newline. Pretty is the document layout: mappings indented by two spaces,
// one member per line, lists one item per line, and an item that is itself a mapping or a list
// written compactly on its one line (a task per line: readable, and a third of fully indented
// JSON on big workflows). Compact is one line. The layout never depends on where the text goes.
std::string to_json(const Json& value, bool pretty = true, const StreamedLists* streamed = nullptr);
// The same text, streamed to `sink` in chunks of about 64 KiB.
void write_json(const Json& value, Sink& sink, bool pretty = true, const StreamedLists* streamed = nullptr);

// The name of a value's type, for messages ("a string", "an array", ...).
const char* type_name(const Json& value);

// Appends "/key" or "/3" to a JSON pointer, escaping '~' and '/' (RFC 6901).
std::string pointer_join(std::string_view base, std::string_view key);
std::string pointer_join(std::string_view base, size_t index);

}  // namespace wf::io
