#include "io/tree.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstring>
#include <optional>
#include <ostream>
#include <sstream>
#include <streambuf>
#include <string_view>
#include <utility>
#include <vector>

#include <rapidjson/error/en.h>
#include <rapidjson/reader.h>
#include <yaml-cpp/eventhandler.h>
#include <yaml-cpp/yaml.h>

#include "io/streamed.h"
#include "util/error.h"
#include "util/strings.h"

namespace wf::io {
namespace {

std::vector<std::string> pointer_segments(std::string_view pointer) {
  std::vector<std::string> out;
  if (pointer.empty()) return out;
  for (auto& seg : util::split(pointer.substr(1), '/')) {
    std::string s;
    for (size_t i = 0; i < seg.size(); ++i) {
      if (seg[i] == '~' && i + 1 < seg.size()) {
        s += seg[i + 1] == '1' ? '/' : '~';
        ++i;
      } else {
        s += seg[i];
      }
    }
    out.push_back(std::move(s));
  }
  return out;
}

std::string line_col(const std::string& name, std::string_view text, size_t offset) {
  offset = std::min(offset, text.size());
  size_t line = 1, col = 1;
  for (size_t i = 0; i < offset; ++i) {
    if (text[i] == '\n') {
      ++line;
      col = 1;
    } else {
      ++col;
    }
  }
  return fmt::format("{}:{}:{}", name, line, col);
}

// --- JSON -------------------------------------------------------------------------------------

// The text as a RapidJSON input stream whose Tell() is exact at every event (RapidJSON's own
// string stream is copied into the parsing functions and reports stale positions meanwhile).
class ExactStream {
 public:
  using Ch = char;
  explicit ExactStream(std::string_view text) : begin_(text.data()), p_(text.data()) {}
  Ch Peek() const { return *p_; }
  Ch Take() { return *p_++; }
  size_t Tell() const { return static_cast<size_t>(p_ - begin_); }
  // Output side, never used by a reader.
  Ch* PutBegin() { return nullptr; }
  void Put(Ch) {}
  void Flush() {}
  size_t PutEnd(Ch*) { return 0; }

 private:
  const char* begin_;
  const char* p_;
};

// Replays the JSON text with a SAX reader and stops at the value the pointer names. After each
// event, last_ is where the text after it starts; the value sought starts at the first character
// that is not blank, a separator or the end of an earlier container.
class JsonFinder : public rapidjson::BaseReaderHandler<rapidjson::UTF8<>, JsonFinder> {
 public:
  JsonFinder(std::string_view text, std::vector<std::string> target, const ExactStream& stream)
      : text_(text), target_(std::move(target)), stream_(stream) {}
  std::optional<size_t> found;

  bool Default() { return start() && end(); }
  bool StartObject() { return start() && push(false); }
  bool EndObject(rapidjson::SizeType) { return pop() && end(); }
  bool StartArray() { return start() && push(true); }
  bool EndArray(rapidjson::SizeType) { return pop() && end(); }
  bool Key(const char* s, rapidjson::SizeType n, bool) {
    frames_.back().key.assign(s, n);
    last_ = stream_.Tell();
    return true;
  }
  bool RawNumber(const char*, rapidjson::SizeType, bool) { return Default(); }
  bool String(const char*, rapidjson::SizeType, bool) { return Default(); }

 private:
  struct Frame {
    bool array;
    size_t index = 0;
    std::string key;
  };
  bool start() {
    if (frames_.size() == target_.size()) {
      bool match = true;
      for (size_t i = 0; i < frames_.size() && match; ++i)
        match = frames_[i].array ? target_[i] == std::to_string(frames_[i].index) : target_[i] == frames_[i].key;
      if (match) {
        size_t at = last_;
        while (at < text_.size() && std::string_view(" \t\r\n,:]}").find(text_[at]) != std::string_view::npos) ++at;
        found = at;
        return false;  // stop the replay
      }
    }
    return true;
  }
  bool end() {
    last_ = stream_.Tell();
    if (!frames_.empty() && frames_.back().array) ++frames_.back().index;
    return true;
  }
  bool push(bool array) {
    frames_.push_back({array, 0, {}});
    last_ = stream_.Tell();
    // Past the opening bracket, whether or not the reader has taken it yet.
    while (last_ < text_.size() && std::string_view(" \t\r\n").find(text_[last_]) != std::string_view::npos) ++last_;
    if (last_ < text_.size() && text_[last_] == (array ? '[' : '{')) ++last_;
    return true;
  }
  bool pop() {
    frames_.pop_back();
    return true;
  }

  std::string_view text_;
  std::vector<std::string> target_;
  const ExactStream& stream_;
  std::vector<Frame> frames_;
  size_t last_ = 0;
};

class JsonLocator final : public Locator {
 public:
  JsonLocator(std::string name, std::string text) : name_(std::move(name)), text_(std::move(text)) {}
  const std::string& name() const override { return name_; }
  std::string where(std::string_view pointer) const override {
    ExactStream stream(text_);
    JsonFinder finder(text_, pointer_segments(pointer), stream);
    rapidjson::Reader reader;
    reader.Parse<rapidjson::kParseIterativeFlag>(stream, finder);
    if (!finder.found) return name_;
    return line_col(name_, text_, *finder.found);
  }

 private:
  std::string name_;
  std::string text_;
};

constexpr int kMaxDepth = 256;  // deeper nesting is no workflow; it would only exhaust the stack

// Hands the parser's events to the document, refusing nesting deeper than kMaxDepth: the fast
// (recursive) parser recurses once per level, so a hostile file must not choose the depth.
class DepthGuard {
 public:
  explicit DepthGuard(JsonDoc& doc) : doc_(doc) {}
  bool too_deep() const { return depth_ > kMaxDepth; }
  bool too_big() const { return too_big_; }

  bool Null() { return doc_.Null(); }
  bool Bool(bool b) { return doc_.Bool(b); }
  bool Int(int i) { return doc_.Int(i); }
  bool Uint(unsigned i) { return doc_.Uint(i); }
  bool Int64(int64_t i) { return doc_.Int64(i); }
  bool Uint64(uint64_t i) { return doc_.Uint64(i); }
  bool Double(double d) { return doc_.Double(d); }
  // Numbers arrive as text (kParseNumbersAsStringsFlag) and are converted by std::from_chars,
  // correctly rounded: RapidJSON 1.1's own full-precision conversion reads a zero written with
  // more than 22 decimals as garbage (0.000000000000000000000000000 as 1e-47 or -3e305, found by
  // fuzzing under UBSan: DiyFp::Normalize of a zero significand).
  bool RawNumber(const char* s, rapidjson::SizeType n, bool) {
    const char* end = s + n;
    if (std::find_if(s, end, [](char c) { return c == '.' || c == 'e' || c == 'E'; }) == end) {
      if (*s == '-') {
        int64_t i = 0;
        if (auto r = std::from_chars(s, end, i); r.ec == std::errc() && r.ptr == end) return doc_.Int64(i);
      } else {
        uint64_t u = 0;
        if (auto r = std::from_chars(s, end, u); r.ec == std::errc() && r.ptr == end) return doc_.Uint64(u);
      }
    }
    double d = 0;
    auto r = std::from_chars(s, end, d);
    if (r.ec == std::errc::result_out_of_range) {
      if (decimal_magnitude(s, end) > 0) {
        too_big_ = true;
        return false;
      }
      d = *s == '-' ? -0.0 : 0.0;  // below the smallest double, as RapidJSON reads it
    }
    return doc_.Double(d);
  }
  bool String(const char* s, rapidjson::SizeType n, bool copy) { return doc_.String(s, n, copy); }
  bool Key(const char* s, rapidjson::SizeType n, bool copy) { return doc_.Key(s, n, copy); }
  bool StartObject() { return ++depth_ <= kMaxDepth && doc_.StartObject(); }
  bool EndObject(rapidjson::SizeType n) {
    --depth_;
    return doc_.EndObject(n);
  }
  bool StartArray() { return ++depth_ <= kMaxDepth && doc_.StartArray(); }
  bool EndArray(rapidjson::SizeType n) {
    --depth_;
    return doc_.EndArray(n);
  }

 private:
  // Roughly log10 of a number beyond a double's range: its integer digits (or minus the zeros
  // after the point) plus its exponent. Only the sign matters: too big, or too small.
  static long decimal_magnitude(const char* s, const char* end) {
    const char* e = std::find_if(s, end, [](char c) { return c == 'e' || c == 'E'; });
    long exponent = 0;
    if (e != end) std::from_chars(e + 1 + (e + 1 < end && e[1] == '+'), end, exponent);
    const char* p = s + (*s == '-');
    while (p < e && *p == '0') ++p;
    const char* point = std::find(p, e, '.');
    if (point != p) return (point - p) + exponent;
    const char* first = std::find_if(point + 1, e, [](char c) { return c != '0'; });
    return -(first - point - 1) + exponent;
  }

  JsonDoc& doc_;
  int depth_ = 0;
  bool too_big_ = false;
};

// The length of the UTF-8 sequence starting at p (RFC 3629: no overlong forms, no surrogates,
// nothing above U+10FFFF), or 0 when it is not one.
size_t utf8_sequence(const unsigned char* p, const unsigned char* end) {
  auto cont = [&](size_t i, unsigned char lo = 0x80, unsigned char hi = 0xBF) {
    return p + i < end && p[i] >= lo && p[i] <= hi;
  };
  unsigned char c = p[0];
  if (c < 0x80) return 1;
  if (c >= 0xC2 && c <= 0xDF) return cont(1) ? 2 : 0;
  if (c == 0xE0) return cont(1, 0xA0) && cont(2) ? 3 : 0;
  if ((c >= 0xE1 && c <= 0xEC) || c == 0xEE || c == 0xEF) return cont(1) && cont(2) ? 3 : 0;
  if (c == 0xED) return cont(1, 0x80, 0x9F) && cont(2) ? 3 : 0;
  if (c == 0xF0) return cont(1, 0x90) && cont(2) && cont(3) ? 4 : 0;
  if (c >= 0xF1 && c <= 0xF3) return cont(1) && cont(2) && cont(3) ? 4 : 0;
  if (c == 0xF4) return cont(1, 0x80, 0x8F) && cont(2) && cont(3) ? 4 : 0;
  return 0;
}

// The offset of the first byte that is not valid UTF-8, if any. The text is checked once, up
// front, with ASCII skipped eight bytes at a time: much cheaper than the parser's own check,
// which also turns off its vectorised string scanning.
std::optional<size_t> invalid_utf8(std::string_view text) {
  const auto* begin = reinterpret_cast<const unsigned char*>(text.data());
  const auto* end = begin + text.size();
  const auto* p = begin;
  while (p < end) {
    if (end - p >= 8) {
      uint64_t word;
      std::memcpy(&word, p, 8);
      if ((word & 0x8080808080808080ULL) == 0) {
        p += 8;
        continue;
      }
    }
    size_t n = utf8_sequence(p, end);
    if (n == 0) return static_cast<size_t>(p - begin);
    p += n;
  }
  return std::nullopt;
}

// Whether a mapping anywhere in the tree holds a key twice. RapidJSON keeps both members, while
// YAML refuses them (and so would the tree written as YAML): JSON refuses them too. Mappings are
// small (a task's keys), so a pairwise check; long ones are sorted.
bool has_duplicate_key(const Json& v) {
  if (v.IsArray()) {
    for (const auto& item : v.GetArray())
      if (has_duplicate_key(item)) return true;
    return false;
  }
  if (!v.IsObject()) return false;
  const auto n = v.MemberCount();
  auto name = [&](rapidjson::SizeType i) {
    const Json& k = (v.MemberBegin() + i)->name;
    return std::string_view(k.GetString(), k.GetStringLength());
  };
  if (n <= 16) {
    for (rapidjson::SizeType i = 1; i < n; ++i)
      for (rapidjson::SizeType j = 0; j < i; ++j)
        if (name(i) == name(j)) return true;
  } else {
    std::vector<std::string_view> names;
    names.reserve(n);
    for (rapidjson::SizeType i = 0; i < n; ++i) names.push_back(name(i));
    std::sort(names.begin(), names.end());
    if (std::adjacent_find(names.begin(), names.end()) != names.end()) return true;
  }
  for (const auto& m : v.GetObject())
    if (has_duplicate_key(m.value)) return true;
  return false;
}

// Where the first repeated key is: read again, keeping each open mapping's keys (only when
// has_duplicate_key said there is one, so the copies cost nothing on good input).
class DuplicateKeyFinder : public rapidjson::BaseReaderHandler<rapidjson::UTF8<>, DuplicateKeyFinder> {
 public:
  explicit DuplicateKeyFinder(const rapidjson::StringStream& stream) : stream_(stream) {}
  bool Default() { return true; }
  bool StartObject() { return open(); }
  bool StartArray() { return open(); }
  bool EndObject(rapidjson::SizeType) { return close(); }
  bool EndArray(rapidjson::SizeType) { return close(); }
  bool Key(const char* s, rapidjson::SizeType n, bool) {
    std::string key(s, n);
    auto& seen = keys_.back();
    if (std::find(seen.begin(), seen.end(), key) != seen.end()) {
      found = {stream_.Tell(), std::move(key)};
      return false;
    }
    seen.push_back(std::move(key));
    return true;
  }
  // The stream's offset when the key was handed over, and the key. RapidJSON 1.1 reads a string
  // through a local copy of the stream, so the offset is still the key's opening quote; a reader
  // that has moved past it is allowed for by key_start.
  std::optional<std::pair<size_t, std::string>> found;

 private:
  bool open() {
    keys_.emplace_back();
    return true;
  }
  bool close() {
    keys_.pop_back();
    return true;
  }
  const rapidjson::StringStream& stream_;
  std::vector<std::vector<std::string>> keys_;
};

// The offset of the opening quote of the key the reader was at (`at`): `at` itself when it is a
// quote, else the quote that opens the string whose closing quote ends just before `at`.
size_t key_start(std::string_view text, size_t at) {
  if (at < text.size() && text[at] == '"') return at;
  if (at == 0) return 0;
  size_t i = at - 1;  // the closing quote
  while (i > 0) {
    --i;
    if (text[i] != '"') continue;
    size_t slashes = 0;
    while (i > slashes && text[i - 1 - slashes] == '\\') ++slashes;
    if (slashes % 2 == 0) return i;
  }
  return 0;
}

[[noreturn]] void fail_duplicate_key(const std::string& name, const std::string& text) {
  rapidjson::StringStream stream(text.c_str());
  DuplicateKeyFinder finder(stream);
  rapidjson::Reader reader;
  reader.Parse<rapidjson::kParseIterativeFlag | rapidjson::kParseNumbersAsStringsFlag>(stream, finder);
  if (!finder.found) fail(util::Exit::data, "{}: malformed JSON: a mapping holds a key twice", name);
  fail(util::Exit::data, "{}: duplicate key '{}'", line_col(name, text, key_start(text, finder.found->first)),
       finder.found->second);
}

// Recursive parsing (much faster than iterative; DepthGuard bounds the recursion) of the
// NUL-terminated text, which lets RapidJSON scan strings and whitespace with SSE2. Numbers are
// converted by DepthGuard with std::from_chars, correctly rounded, which keeps every decimal exact
// through a pipe of tools (a number read and written back is the same number).
constexpr unsigned kParseFlags = rapidjson::kParseNumbersAsStringsFlag;

Tree parse_json(Source source) {
  if (auto bad = invalid_utf8(source.text))
    fail(util::Exit::data, "{}: malformed JSON: invalid UTF-8", line_col(source.name, source.text, *bad));
  Tree tree;
  tree.root = std::make_unique<JsonDoc>();
  rapidjson::Reader reader;
  // The SSE2 scanning loads aligned 16-byte blocks, so it reads up to 15 bytes past the
  // terminating NUL: they must belong to the buffer (AddressSanitizer reported the overread).
  source.text.reserve(source.text.size() + 16);
  rapidjson::StringStream stream(source.text.c_str());  // read_source refused NUL bytes
  DepthGuard guard(*tree.root);
  rapidjson::ParseResult result;
  auto generate = [&](JsonDoc&) {
    result = reader.Parse<kParseFlags>(stream, guard);
    return !result.IsError();
  };
  tree.root->Populate(generate);
  if (result.IsError())
    fail(util::Exit::data, "{}: malformed JSON: {}", line_col(source.name, source.text, result.Offset()),
         guard.too_deep()  ? fmt::format("nested deeper than {} levels", kMaxDepth)
         : guard.too_big() ? rapidjson::GetParseError_En(rapidjson::kParseErrorNumberTooBig)
                           : rapidjson::GetParseError_En(result.Code()));
  if (has_duplicate_key(*tree.root)) fail_duplicate_key(source.name, source.text);
  tree.locator = std::make_unique<JsonLocator>(std::move(source.name), std::move(source.text));
  return tree;
}

// --- YAML -------------------------------------------------------------------------------------

constexpr size_t kMaxYamlNodes = 20'000'000;  // alias bombs expand to more than any real file

// A plain scalar under the YAML 1.2 core schema.
Json resolve_plain(const std::string& s, Alloc& a) {
  if (s.empty() || s == "~" || s == "null" || s == "Null" || s == "NULL") return Json(rapidjson::kNullType);
  if (s == "true" || s == "True" || s == "TRUE") return Json(true);
  if (s == "false" || s == "False" || s == "FALSE") return Json(false);
  if (auto i = util::parse_int(s)) return Json(static_cast<int64_t>(*i));
  if (s.size() > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'o')) {
    try {
      size_t used = 0;
      long long v = std::stoll(s.substr(2), &used, s[1] == 'x' ? 16 : 8);
      if (used == s.size() - 2) return Json(static_cast<int64_t>(v));
    } catch (...) {
    }
  }
  if (s.find_first_not_of("0123456789+-.eE") == std::string::npos && s.find_first_of("0123456789") != std::string::npos)
    if (auto d = util::parse_double(s)) return number(*d);
  return str(s, a);
}

bool is_plain_non_string(const std::string& s) {
  rapidjson::Document scratch;
  return !resolve_plain(s, scratch.GetAllocator()).IsString();
}

// yaml-cpp 0.7 decodes the escapes \N and \_ (U+0085, U+00A0) to the single Latin-1 bytes 0x85
// and 0xA0 instead of their UTF-8 forms. The text was checked to be UTF-8 before it was parsed,
// so a byte of a scalar that starts no UTF-8 sequence came from such an escape: it is written as
// the UTF-8 of the same code point. `buffer` holds the result when one is needed.
const std::string& scalar_utf8(const std::string& s, std::string& buffer) {
  if (!invalid_utf8(s)) return s;
  buffer.clear();
  const auto* p = reinterpret_cast<const unsigned char*>(s.data());
  const auto* end = p + s.size();
  while (p < end) {
    size_t n = utf8_sequence(p, end);
    if (n == 0) {
      buffer += static_cast<char>(0xC0 | (*p >> 6));
      buffer += static_cast<char>(0x80 | (*p & 0x3F));
      ++p;
    } else {
      buffer.append(reinterpret_cast<const char*>(p), n);
      p += n;
    }
  }
  return buffer;
}

class YamlConverter {
 public:
  YamlConverter(const std::string& name, Alloc& a) : name_(name), a_(a) {}
  Json convert(const YAML::Node& node, int depth) {
    if (++count_ > kMaxYamlNodes) fail(util::Exit::data, "{}: YAML expands to more than {} values (an alias bomb?)", name_, kMaxYamlNodes);
    if (depth > kMaxDepth) fail(util::Exit::data, "{}: YAML nested deeper than {} levels", place(node), kMaxDepth);
    switch (node.Type()) {
      case YAML::NodeType::Null:
      case YAML::NodeType::Undefined: return Json(rapidjson::kNullType);
      case YAML::NodeType::Scalar: {
        const std::string& s = scalar_utf8(node.Scalar(), buffer_);
        if (node.Tag() == "?") return resolve_plain(s, a_);
        return str(s, a_);
      }
      case YAML::NodeType::Sequence: {
        Json array(rapidjson::kArrayType);
        array.Reserve(static_cast<rapidjson::SizeType>(node.size()), a_);
        for (const auto& item : node) array.PushBack(convert(item, depth + 1), a_);
        return array;
      }
      case YAML::NodeType::Map: {
        Json object(rapidjson::kObjectType);
        for (const auto& kv : node) {
          if (!kv.first.IsScalar()) fail(util::Exit::data, "{}: a mapping key must be a plain value", place(kv.first));
          const std::string& key = scalar_utf8(kv.first.Scalar(), buffer_);
          if (get(object, key)) fail(util::Exit::data, "{}: duplicate key '{}'", place(kv.first), key);
          Json name = str(key, a_);  // copied before convert() reuses the buffer `key` may be in
          object.AddMember(name, convert(kv.second, depth + 1), a_);
        }
        return object;
      }
    }
    return Json(rapidjson::kNullType);
  }

 private:
  std::string place(const YAML::Node& node) const {
    YAML::Mark m = node.Mark();
    if (m.is_null()) return name_;
    return fmt::format("{}:{}:{}", name_, m.line + 1, m.column + 1);
  }
  const std::string& name_;
  Alloc& a_;
  size_t count_ = 0;
  std::string buffer_;  // scalar_utf8's
};

class YamlLocator final : public Locator {
 public:
  YamlLocator(std::string name, YAML::Node root) : name_(std::move(name)), root_(std::move(root)) {}
  const std::string& name() const override { return name_; }
  std::string where(std::string_view pointer) const override {
    // YAML::Node's operator= assigns *into* the tree; reset() rebinds the handle.
    YAML::Node node;
    node.reset(root_);
    std::string buffer;
    for (const auto& seg : pointer_segments(pointer)) {
      YAML::Node next;
      bool found = false;
      if (node.IsMap()) {
        for (const auto& kv : node)
          if (kv.first.IsScalar() && scalar_utf8(kv.first.Scalar(), buffer) == seg) {  // the tree's key
            next.reset(kv.second);
            found = true;
          }
      } else if (node.IsSequence()) {
        auto i = util::parse_int(seg);
        if (i && *i >= 0 && static_cast<size_t>(*i) < node.size()) {
          next.reset(node[static_cast<size_t>(*i)]);
          found = true;
        }
      }
      if (!found) break;
      node.reset(next);
    }
    YAML::Mark m = node.Mark();
    if (m.is_null()) return name_;
    return fmt::format("{}:{}:{}", name_, m.line + 1, m.column + 1);
  }

 private:
  std::string name_;
  YAML::Node root_;
};

// Only a text with a document marker ("---" or "..." opening a line) can hold several YAML
// documents; YAML::Load reads the first document alone.
bool has_document_marker(std::string_view text) {
  for (size_t at = 0; at < text.size();) {
    std::string_view line = text.substr(at, 4);
    if ((line.starts_with("---") || line.starts_with("...")) &&
        (line.size() == 3 || line[3] == ' ' || line[3] == '\t' || line[3] == '\r' || line[3] == '\n'))
      return true;
    size_t newline = text.find('\n', at);
    if (newline == std::string_view::npos) break;
    at = newline + 1;
  }
  return false;
}

// yaml-cpp 0.7's parser never moves past a ',' that follows a document's top value ("a", or
// [1],): it returns empty documents forever, and YAML::LoadAll grows its list of them until
// memory runs out. So documents are counted with a parser that builds nothing, up to a bound,
// and the one document is read by YAML::Load (which, without a marker, stops after that value).
constexpr size_t kMaxYamlDocuments = 1000;

class NoEvents final : public YAML::EventHandler {
 public:
  void OnDocumentStart(const YAML::Mark&) override {}
  void OnDocumentEnd() override {}
  void OnNull(const YAML::Mark&, YAML::anchor_t) override {}
  void OnAlias(const YAML::Mark&, YAML::anchor_t) override {}
  void OnScalar(const YAML::Mark&, const std::string&, YAML::anchor_t, const std::string&) override {}
  void OnSequenceStart(const YAML::Mark&, const std::string&, YAML::anchor_t, YAML::EmitterStyle::value) override {}
  void OnSequenceEnd() override {}
  void OnMapStart(const YAML::Mark&, const std::string&, YAML::anchor_t, YAML::EmitterStyle::value) override {}
  void OnMapEnd() override {}
};

// The number of documents, or kMaxYamlDocuments + 1 when there are more.
size_t count_documents(const std::string& text) {
  std::istringstream in(text);
  YAML::Parser parser(in);
  NoEvents none;
  size_t count = 0;
  while (count <= kMaxYamlDocuments && parser.HandleNextDocument(none)) ++count;
  return count;
}

Tree parse_yaml(Source source) {
  // yaml-cpp passes invalid UTF-8 through into strings, which no JSON reader (ours included)
  // would take back: refused here as the JSON reader refuses it.
  if (auto bad = invalid_utf8(source.text))
    fail(util::Exit::data, "{}: malformed YAML: invalid UTF-8", line_col(source.name, source.text, *bad));
  YAML::Node doc;
  try {
    if (has_document_marker(source.text)) {
      size_t count = count_documents(source.text);
      if (count == 0) fail(util::Exit::data, "{}: empty input, expected a workflow or a document", source.name);
      if (count > kMaxYamlDocuments)
        fail(util::Exit::data, "{}: malformed YAML: text after the end of a document", source.name);
      if (count > 1) fail(util::Exit::data, "{}: {} YAML documents in one file, expected one", source.name, count);
    }
    doc.reset(YAML::Load(source.text));
  } catch (const YAML::Exception& e) {
    fail(util::Exit::data, "{}:{}:{}: malformed YAML: {}", source.name, e.mark.line + 1, e.mark.column + 1, e.msg);
  }
  // No document at all (only comments) reads as a node without a place; a written null has one.
  if (doc.IsNull() && doc.Mark().is_null())
    fail(util::Exit::data, "{}: empty input, expected a workflow or a document", source.name);
  Tree tree;
  tree.yaml = true;
  tree.root = std::make_unique<JsonDoc>();
  YamlConverter converter(source.name, tree.root->GetAllocator());
  Json value = converter.convert(doc, 0);
  static_cast<Json&>(*tree.root) = std::move(value);
  tree.locator = std::make_unique<YamlLocator>(std::move(source.name), doc);
  return tree;
}

// --- YAML out ---------------------------------------------------------------------------------

// A string that would not read back as itself when written plain: empty, another type's
// spelling, or holding control characters (a plain "a \r" reads back as "a", found by fuzzing)
// or blanks at its ends, or opening with a document marker ("--- a" written plain is a second
// document), which yaml-cpp's emitter would write plain.
bool needs_quotes(const std::string& s) {
  if (s.empty() || s.front() == ' ' || s.back() == ' ' || s.starts_with("---") || s.starts_with("...") ||
      is_plain_non_string(s))
    return true;
  return std::any_of(s.begin(), s.end(), [](char c) { return static_cast<unsigned char>(c) < 0x20 || c == 0x7f; });
}

constexpr size_t kMaxSimpleKey = 200;  // characters before escaping; at most 4x when written

void emit(YAML::Emitter& out, const Json& v, const StreamedLists* streamed) {
  if (const StreamedList* list = find_streamed(streamed, v)) {
    out << YAML::BeginSeq;
    for_each_streamed(*list, [&](const Json& item) { emit(out, item, nullptr); });
    out << YAML::EndSeq;
    return;
  }
  switch (v.GetType()) {
    case rapidjson::kNullType: out << YAML::Null; break;
    case rapidjson::kFalseType: out << false; break;
    case rapidjson::kTrueType: out << true; break;
    case rapidjson::kNumberType:
      if (v.IsInt64()) out << fmt::format("{}", v.GetInt64());
      else if (v.IsUint64()) out << fmt::format("{}", v.GetUint64());
      else out << fmt::format("{}", v.GetDouble());
      break;
    case rapidjson::kStringType: {
      std::string s(view(v));
      if (needs_quotes(s)) out << YAML::DoubleQuoted << s;
      else out << s;
      break;
    }
    case rapidjson::kArrayType:
      out << YAML::BeginSeq;
      for (const auto& item : v.GetArray()) emit(out, item, streamed);
      out << YAML::EndSeq;
      break;
    case rapidjson::kObjectType:
      out << YAML::BeginMap;
      for (const auto& m : v.GetObject()) {
        std::string key(view(m.name));
        // YAML limits a simple key to 1024 characters (escapes count as written): longer keys
        // are written explicit ("? key"), as yaml-cpp does not do by itself (found by fuzzing).
        if (key.size() > kMaxSimpleKey) out << YAML::LongKey;
        out << YAML::Key;
        if (needs_quotes(key)) out << YAML::DoubleQuoted << key;
        else out << key;
        out << YAML::Value;
        emit(out, m.value, streamed);
      }
      out << YAML::EndMap;
      break;
  }
}

}  // namespace

Tree parse_tree(Source source) {
  size_t first = source.text.find_first_not_of(" \t\r\n");
  if (first == std::string::npos) fail(util::Exit::data, "{}: empty input, expected a workflow or a document", source.name);
  if (source.text[first] == '{' || source.text[first] == '[') return parse_json(std::move(source));
  return parse_yaml(std::move(source));
}

namespace {

// Hands what an ostream writes to a Sink, 64 KiB at a time, so YAML output is streamed like JSON
// output instead of built whole in the emitter. A Sink's write error (wf::Error) leaves through
// the stream (badbit is in its exception mask).
class SinkBuffer final : public std::streambuf {
 public:
  explicit SinkBuffer(Sink& sink) : sink_(sink), buffer_(kSize) { setp(buffer_.data(), buffer_.data() + kSize); }

 protected:
  int_type overflow(int_type c) override {
    drain();
    if (!traits_type::eq_int_type(c, traits_type::eof())) {
      *pptr() = traits_type::to_char_type(c);
      pbump(1);
    }
    return traits_type::not_eof(c);
  }
  int sync() override {
    drain();
    return 0;
  }

 private:
  static constexpr size_t kSize = 1 << 16;
  void drain() {
    if (pptr() == pbase()) return;
    sink_.write({pbase(), static_cast<size_t>(pptr() - pbase())});
    setp(buffer_.data(), buffer_.data() + kSize);
  }
  Sink& sink_;
  std::vector<char> buffer_;
};

}  // namespace

void write_yaml(const Json& value, Sink& sink, const StreamedLists* streamed) {
  SinkBuffer buffer(sink);
  std::ostream stream(&buffer);
  stream.exceptions(std::ios::badbit);
  {
    YAML::Emitter out(stream);
    out.SetIndent(2);
    emit(out, value, streamed);
  }
  stream << '\n';
  stream.flush();
}

std::string to_yaml(const Json& value, const StreamedLists* streamed) {
  StringSink sink;
  write_yaml(value, sink, streamed);
  return sink.take();
}

}  // namespace wf::io
