#include "io/json.h"

#include <array>
#include <charconv>
#include <cmath>
#include <cstring>
#include <memory>

#include <rapidjson/internal/dtoa.h>

#include "io/streamed.h"

namespace wf::io {

const Json* get(const Json& obj, std::string_view key) {
  if (!obj.IsObject()) return nullptr;
  auto it = obj.FindMember(Json(rapidjson::StringRef(key.data(), static_cast<rapidjson::SizeType>(key.size()))));
  return it == obj.MemberEnd() ? nullptr : &it->value;
}

Json* get(Json& obj, std::string_view key) {
  return const_cast<Json*>(get(static_cast<const Json&>(obj), key));
}

void put(Json& obj, std::string_view key, Json value, Alloc& a) {
  if (Json* existing = get(obj, key)) {
    *existing = std::move(value);
    return;
  }
  obj.AddMember(str(key, a), value, a);
}

Json number(double value) {
  if (std::isfinite(value) && value == std::floor(value) && std::fabs(value) < 9e15)
    return Json(static_cast<int64_t>(value));
  if (!std::isfinite(value)) return Json(rapidjson::kNullType);
  return Json(value);
}

std::optional<double> get_number(const Json& obj, std::string_view key) {
  const Json* v = get(obj, key);
  if (!v || !v->IsNumber()) return std::nullopt;
  return v->GetDouble();
}

std::optional<std::string_view> get_string(const Json& obj, std::string_view key) {
  const Json* v = get(obj, key);
  if (!v || !v->IsString()) return std::nullopt;
  return view(*v);
}

namespace {

// Writes the layout described at to_json into a buffer handed to the sink whenever it fills up.
// The text is RapidJSON's (the same escapes, numbers in the same shortest round-trip form), but
// written straight into a plain buffer: RapidJSON's writer (and std::string appends) spend most of
// their time on bookkeeping per character.
class LayoutWriter {
 public:
  LayoutWriter(Sink& sink, bool pretty, const StreamedLists* streamed)
      : sink_(sink), pretty_(pretty), streamed_(streamed) {
    grow(kChunk * 2);
  }

  void value(const Json& v, int depth, bool compact) {
    switch (v.GetType()) {
      case rapidjson::kNullType: literal("null"); break;
      case rapidjson::kFalseType: literal("false"); break;
      case rapidjson::kTrueType: literal("true"); break;
      case rapidjson::kNumberType: number(v); break;
      case rapidjson::kStringType: string(v.GetString(), v.GetStringLength()); break;
      case rapidjson::kObjectType: object(v, depth, compact); break;
      case rapidjson::kArrayType: array(v, depth, compact); break;
    }
  }

  void finish() {
    literal("\n");
    flush();
  }

 private:
  static constexpr size_t kChunk = 1 << 16;

  void object(const Json& v, int depth, bool compact) {
    if (v.ObjectEmpty()) return literal("{}");
    put('{');
    for (auto m = v.MemberBegin(); m != v.MemberEnd(); ++m) {
      if (m != v.MemberBegin()) put(',');
      newline(depth + 1, compact);
      string(m->name.GetString(), m->name.GetStringLength());
      if (compact || !pretty_) put(':');
      else literal(": ");
      value(m->value, depth + 1, compact);
      if (used() >= kChunk) flush();
    }
    newline(depth, compact);
    put('}');
  }

  // In the pretty layout, a mapping or list inside a list is written compactly on its line.
  void array(const Json& v, int depth, bool compact) {
    if (const StreamedList* list = find_streamed(streamed_, v)) return streamed(*list, depth, compact);
    if (v.Empty()) return literal("[]");
    put('[');
    for (auto item = v.Begin(); item != v.End(); ++item) {
      if (item != v.Begin()) put(',');
      newline(depth + 1, compact);
      value(*item, depth + 1, compact || pretty_);
      if (used() >= kChunk) flush();
    }
    newline(depth, compact);
    put(']');
  }

  // The same layout as array(), the items made as they are written.
  void streamed(const StreamedList& list, int depth, bool compact) {
    if (list.count == 0) return literal("[]");
    put('[');
    bool first = true;
    for_each_streamed(list, [&](const Json& item) {
      if (!first) put(',');
      first = false;
      newline(depth + 1, compact);
      value(item, depth + 1, compact || pretty_);
      if (used() >= kChunk) flush();
    });
    newline(depth, compact);
    put(']');
  }

  void newline(int depth, bool compact) {
    if (compact || !pretty_) return;
    size_t n = static_cast<size_t>(depth) * 2;
    reserve(n + 1);
    *cur_++ = '\n';
    std::memset(cur_, ' ', n);
    cur_ += n;
  }

  void number(const Json& v) {
    reserve(32);
    if (v.IsDouble()) {
      double d = v.GetDouble();
      if (!std::isfinite(d)) return literal("null");  // JSON has no NaN or infinity
      cur_ = rapidjson::internal::dtoa(d, cur_);
    } else if (v.IsInt64()) {
      cur_ = std::to_chars(cur_, cur_ + 32, v.GetInt64()).ptr;
    } else {
      cur_ = std::to_chars(cur_, cur_ + 32, v.GetUint64()).ptr;
    }
  }

  // Quotes and escapes as RapidJSON does: \" \\ \b \f \n \r \t, other control characters as
  // \u00XX; everything else (UTF-8 included) verbatim. Eight bytes are checked at a time; only a
  // word holding something to escape is written byte by byte.
  void string(const char* s, size_t n) {
    reserve(n * 6 + 2);
    char* out = cur_;
    *out++ = '"';
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
      uint64_t word;
      std::memcpy(&word, s + i, 8);
      if (needs_escape(word)) {
        out = escape(out, s + i, 8);
      } else {
        std::memcpy(out, &word, 8);
        out += 8;
      }
    }
    cur_ = tail(out, s + i, n - i);
  }

  // The last bytes of a string (fewer than eight). Restrict: the output never overlaps the
  // input, so the loop need not reload after each store.
  static char* tail(char* __restrict out, const char* __restrict s, size_t n) {
    for (size_t i = 0; i < n; ++i) {
      if (kEscape[static_cast<unsigned char>(s[i])]) out = escape(out, s + i, 1);
      else *out++ = s[i];
    }
    *out++ = '"';
    return out;
  }

  // Whether a byte of the word is a control character, '"' or a backslash (bytes >= 0x80 never
  // match: UTF-8 goes through as it is).
  static bool needs_escape(uint64_t w) {
    constexpr uint64_t kOnes = 0x0101010101010101ULL, kHigh = 0x8080808080808080ULL;
    auto zero_byte = [](uint64_t v) { return (v - kOnes) & ~v & kHigh; };
    uint64_t control = (w - kOnes * 0x20) & ~w & kHigh;
    return (control | zero_byte(w ^ (kOnes * '"')) | zero_byte(w ^ (kOnes * '\\'))) != 0;
  }

  static constexpr auto kEscape = [] {
    std::array<char, 256> table{};
    for (int c = 0; c < 0x20; ++c) table[static_cast<size_t>(c)] = 'u';
    table['\b'] = 'b';
    table['\t'] = 't';
    table['\n'] = 'n';
    table['\f'] = 'f';
    table['\r'] = 'r';
    table['"'] = '"';
    table['\\'] = '\\';
    return table;
  }();

  static char* escape(char* out, const char* s, size_t n) {
    static constexpr char kHex[] = "0123456789ABCDEF";
    for (size_t i = 0; i < n; ++i) {
      auto c = static_cast<unsigned char>(s[i]);
      char e = kEscape[c];
      if (e == 0) {
        *out++ = static_cast<char>(c);
        continue;
      }
      *out++ = '\\';
      *out++ = e;
      if (e == 'u') {
        *out++ = '0';
        *out++ = '0';
        *out++ = kHex[c >> 4];
        *out++ = kHex[c & 15];
      }
    }
    return out;
  }

  template <size_t N>
  void literal(const char (&text)[N]) {
    reserve(N - 1);
    std::memcpy(cur_, text, N - 1);
    cur_ += N - 1;
  }
  void put(char c) {
    reserve(1);
    *cur_++ = c;
  }

  size_t used() const { return static_cast<size_t>(cur_ - buffer_.get()); }
  // Room for n more bytes: flush first, and grow only for a value larger than the buffer.
  void reserve(size_t n) {
    if (static_cast<size_t>(end_ - cur_) >= n) return;
    flush();
    if (static_cast<size_t>(end_ - cur_) < n) grow(n);
  }
  void grow(size_t capacity) {
    buffer_ = std::make_unique<char[]>(capacity);
    cur_ = buffer_.get();
    end_ = cur_ + capacity;
  }
  void flush() {
    if (used() > 0) sink_.write({buffer_.get(), used()});
    cur_ = buffer_.get();
  }

  Sink& sink_;
  bool pretty_;
  const StreamedLists* streamed_;
  std::unique_ptr<char[]> buffer_;
  char* cur_ = nullptr;
  char* end_ = nullptr;
};

}  // namespace

void write_json(const Json& value, Sink& sink, bool pretty, const StreamedLists* streamed) {
  LayoutWriter writer(sink, pretty, streamed);
  writer.value(value, 0, false);
  writer.finish();
}

std::string to_json(const Json& value, bool pretty, const StreamedLists* streamed) {
  StringSink sink;
  write_json(value, sink, pretty, streamed);
  return sink.take();
}

const char* type_name(const Json& value) {
  switch (value.GetType()) {
    case rapidjson::kNullType: return "null";
    case rapidjson::kFalseType:
    case rapidjson::kTrueType: return "a boolean";
    case rapidjson::kObjectType: return "a mapping";
    case rapidjson::kArrayType: return "a list";
    case rapidjson::kStringType: return "a string";
    case rapidjson::kNumberType: return "a number";
  }
  return "a value";
}

std::string pointer_join(std::string_view base, std::string_view key) {
  std::string out(base);
  out += '/';
  for (char c : key) {
    if (c == '~') out += "~0";
    else if (c == '/') out += "~1";
    else out += c;
  }
  return out;
}

std::string pointer_join(std::string_view base, size_t index) {
  return std::string(base) + '/' + std::to_string(index);
}

}  // namespace wf::io
