#include <catch2/catch.hpp>

#include <cmath>
#include <cstdint>

#include "io/tree.h"
#include "util/error.h"

using namespace wf;
using namespace wf::io;

namespace {

std::string parse_error(std::string text, std::string name = "wf.json") {
  try {
    parse_tree(Source{std::move(name), std::move(text)});
  } catch (const Error& e) {
    CHECK(e.exit() == util::Exit::data);
    return e.what();
  }
  FAIL("no error");
  return {};
}

}  // namespace

TEST_CASE("malformed JSON is reported at its line and column") {
  CHECK(parse_error("{\n  \"tasks\": [\n    {\"id\": \"a\",}\n  ]\n}\n") == "wf.json:3:16: malformed JSON: Missing a name for object member.");
  CHECK(parse_error("{\"a\": 1} x") == "wf.json:1:10: malformed JSON: The document root must not be followed by other values.");
}

TEST_CASE("invalid UTF-8 is refused at its position") {
  CHECK(parse_error("{\"name\": \"caf\xc3\xa9\",\n \"x\": \"\xff\"}") == "wf.json:2:8: malformed JSON: invalid UTF-8");
  CHECK(parse_error("[\"\xed\xa0\x80\"]") == "wf.json:1:3: malformed JSON: invalid UTF-8");  // a surrogate
  CHECK(parse_error("[\"\xc0\xaf\"]") == "wf.json:1:3: malformed JSON: invalid UTF-8");      // overlong
  auto tree = parse_tree(Source{"ok.json", "[\"caf\xc3\xa9 \xe2\x9c\x93 \xf0\x9f\x98\x80\"]"});
  CHECK((*tree.root)[0].GetStringLength() == 14);
}

TEST_CASE("invalid UTF-8 in YAML is refused too, so every tree read can be written as JSON") {
  // Found by fuzzing (tests/fuzz/tree_fuzz.cc): YAML took the bytes, the JSON written from it did not read back.
  CHECK(parse_error("name: caf\xc3\xa9\ntasks: [\xe9t\xe9]\n", "wf.yaml") == "wf.yaml:2:9: malformed YAML: invalid UTF-8");
  auto tree = parse_tree(Source{"ok.yaml", "name: caf\xc3\xa9\n"});
  CHECK(view((*tree.root)["name"]) == "caf\xc3\xa9");
}

TEST_CASE("a JSON mapping with a key twice is refused at the second, as YAML refuses it") {
  // Found by fuzzing (tests/fuzz/tree_fuzz.cc): the JSON reader kept both members, and the tree
  // written as YAML did not read back.
  CHECK(parse_error("{\"tasks\": [\n  {\"id\": \"a\", \"duration_s\": 4,\n   \"duration_s\": 1}\n]}\n") ==
        "wf.json:3:4: duplicate key 'duration_s'");
  CHECK(parse_error("{\"a\": {\"x\\\"y\": 1, \"x\\\"y\": 2}}") == "wf.json:1:19: duplicate key 'x\"y'");
  // Long mappings take the sorted path; the same key in different mappings is fine.
  std::string wide = "{";
  for (int i = 0; i < 40; ++i) wide += "\"k" + std::to_string(i) + "\": {\"id\": 1}, ";
  CHECK(parse_tree(Source{"ok.json", wide + "\"z\": 0}"}).root->MemberCount() == 41);
  CHECK(parse_error(wide + "\"k7\": 0}") == "wf.json:1:" + std::to_string(wide.size() + 1) + ": duplicate key 'k7'");
  CHECK(parse_error("{\"a\": 1, \"b\": 2, \"a\": 3}", "wf.yaml") == "wf.yaml:1:18: duplicate key 'a'");
}

TEST_CASE("YAML's \\N and \\_ escapes become UTF-8, so the tree can be written as JSON") {
  // Found by fuzzing (tests/fuzz/document_fuzz.cc): yaml-cpp decodes them to the lone bytes 0x85
  // and 0xA0, which no JSON reader takes back.
  auto tree = parse_tree(Source{"ok.yaml", "run: \"a\\_b\\Nc\\Ld\\x85e\"\n\"k\\_\": caf\xc3\xa9\n"});
  CHECK(view((*tree.root)["run"]) == "a\xc2\xa0" "b\xc2\x85" "c\xe2\x80\xa8" "d\xc2\x85" "e");
  CHECK((*tree.root).HasMember("k\xc2\xa0"));
  CHECK(view((*tree.root)["k\xc2\xa0"]) == "caf\xc3\xa9");
  // A key so repaired is still found where it was written, by the tree's (UTF-8) name.
  auto placed = parse_tree(Source{"p.yaml", "a: 1\n\"k\\_\":\n  x: 2\n"});
  CHECK(placed.locator->where("/k\xc2\xa0/x") == "p.yaml:3:6");
}

TEST_CASE("YAML that yaml-cpp would read as endless documents is an error, not a hang") {
  // Found by fuzzing (tests/fuzz/wfformat_fuzz.cc): LoadAll looped on "a", filling memory.
  CHECK(parse_error("--- \"a\",\n", "wf.yaml") == "wf.yaml: malformed YAML: text after the end of a document");
  CHECK(parse_error("--- [1],\n", "wf.yaml") == "wf.yaml: malformed YAML: text after the end of a document");
  auto tree = parse_tree(Source{"ok.yaml", "\"a\",\n"});  // no marker: the first value alone
  CHECK(view(*tree.root) == "a");
  CHECK(parse_error("a: 1\n---\nb: 2\n", "wf.yaml") == "wf.yaml: 2 YAML documents in one file, expected one");
  CHECK(parse_error("# only a comment\n", "wf.yaml") == "wf.yaml: empty input, expected a workflow or a document");
  CHECK(parse_tree(Source{"ok.yaml", "---\na: 1\n...\n"}).root->IsObject());
}

TEST_CASE("JSON numbers are read exactly, a long-written zero included") {
  // Found by fuzzing under UBSan: RapidJSON's full-precision conversion read this zero as garbage.
  auto tree = parse_tree(Source{"n.json", "[0.0000000000000000000000000000, -0.000000000000000000000000000000e5, 0.1, 1e-400,"
                                          " -1e-400, 18446744073709551615, -9223372036854775808, 18446744073709551616, 3, -3,"
                                          " 1.7976931348623157e308, 0.1e-3]"});
  const Json& a = *tree.root;
  CHECK(a[0].GetDouble() == 0.0);
  CHECK(a[1].GetDouble() == 0.0);
  CHECK(std::signbit(a[1].GetDouble()));
  CHECK(a[2].GetDouble() == 0.1);
  CHECK(a[3].GetDouble() == 0.0);
  CHECK(std::signbit(a[4].GetDouble()));
  CHECK(a[5].IsUint64());
  CHECK(a[5].GetUint64() == 18446744073709551615ULL);
  CHECK(a[6].IsInt64());
  CHECK(a[6].GetInt64() == INT64_MIN);
  CHECK(a[7].IsDouble());
  CHECK(a[7].GetDouble() == 18446744073709551616.0);
  CHECK(a[8].IsInt());
  CHECK(a[8].GetInt() == 3);
  CHECK(a[9].GetInt() == -3);
  CHECK(a[10].GetDouble() == 1.7976931348623157e308);
  CHECK(a[11].GetDouble() == 0.0001);
  CHECK(parse_error("{\"a\": [1e400]}") == "wf.json:1:8: malformed JSON: Number too big to be stored in double.");
  CHECK(parse_error("{\"a\": -0.5e309}") == "wf.json:1:7: malformed JSON: Number too big to be stored in double.");
}

TEST_CASE("strings that would not read back plain are written quoted") {
  // Found by fuzzing (tests/fuzz/tree_fuzz.cc): "-!-[ \r" was written plain and read back as "-!-[".
  for (std::string text : {"-!-[ \r", " lead", "trail ", "tab\there", "line\nbreak", "--- \"a\"a", "...", "---"}) {
    JsonDoc d;
    d.SetArray().PushBack(str(text, d.GetAllocator()), d.GetAllocator());
    auto back = parse_tree(Source{"y.yaml", to_yaml(d)});
    REQUIRE(back.root->IsArray());
    CHECK(view((*back.root)[0]) == text);
  }
  JsonDoc d;
  std::string long_key(300, '\x1f');
  d.SetObject().AddMember(str(long_key, d.GetAllocator()), Json(1), d.GetAllocator());
  auto back = parse_tree(Source{"y.yaml", to_yaml(d)});
  CHECK((*back.root)[long_key.c_str()].GetInt() == 1);
}

TEST_CASE("a JSON text whose end is near its buffer's end is read without reading past it") {
  // Found by fuzzing under AddressSanitizer: the SSE2 whitespace scan reads aligned 16-byte blocks.
  for (size_t pad = 0; pad < 20; ++pad) {
    std::string text = "{\"a\": [1, 2]" + std::string(pad, ' ') + "}";
    text.shrink_to_fit();
    auto tree = parse_tree(Source{"t.json", std::move(text)});
    CHECK((*tree.root)["a"].Size() == 2);
  }
}

TEST_CASE("nesting deeper than 256 levels is refused, not a crash") {
  std::string deep(100000, '[');
  CHECK(parse_error(deep).find("malformed JSON: nested deeper than 256 levels") != std::string::npos);
  std::string ok = std::string(200, '[') + std::string(200, ']');
  CHECK(parse_tree(Source{"ok.json", ok}).root->IsArray());
}

TEST_CASE("JSON positions are found by pointer, for messages") {
  auto tree = parse_tree(Source{"wf.json", "{\n  \"tasks\": [\n    {\"id\": \"a\"},\n    {\"id\": \"b\", \"needs\": [\"a\", \"zz\"]}\n  ]\n}\n"});
  CHECK(tree.locator->where("/tasks/1") == "wf.json:4:5");
  CHECK(tree.locator->where("/tasks/1/needs/1") == "wf.json:4:32");
  CHECK(tree.locator->where("/tasks/7") == "wf.json");
  CHECK_FALSE(tree.yaml);
}

TEST_CASE("YAML: positions, core-schema scalars and its errors") {
  auto tree = parse_tree(Source{"wf.yaml", "name: x\ntasks:\n  - id: a\n    run: echo\n    mem: 010\n  - id: b\n    ok: yes\n"});
  CHECK(tree.yaml);
  CHECK(tree.locator->where("/tasks/1/id") == "wf.yaml:6:9");
  CHECK(tree.locator->where("/tasks/0/mem") == "wf.yaml:5:10");
  const Json& tasks = (*tree.root)["tasks"];
  CHECK(tasks[0]["mem"].GetInt() == 10);
  CHECK(tasks[1]["ok"].IsString());  // YAML 1.2: yes is a string
  CHECK(parse_error("a: [1, 2\n", "bad.yaml").rfind("bad.yaml:2:1: malformed YAML", 0) == 0);
  CHECK(parse_error("a: 1\na: 2\n", "dup.yaml") == "dup.yaml:2:1: duplicate key 'a'");
}

TEST_CASE("YAML out quotes what would read back as another type") {
  auto tree = parse_tree(Source{"x.json", R"({"a":"010","b":"true","c":"plain","d":3.5,"e":[1,null]})"});
  CHECK(to_yaml(*tree.root) == "a: \"010\"\nb: \"true\"\nc: plain\nd: 3.5\ne:\n  - 1\n  - ~\n");
}

TEST_CASE("YAML is streamed to its sink in chunks, the same text as to_yaml, and a write error leaves through it") {
  std::string text = "tasks:\n";
  for (int i = 0; i < 5000; ++i) text += "  - {id: t" + std::to_string(i) + ", run: \"echo " + std::to_string(i) + "\"}\n";
  auto tree = parse_tree(Source{"big.yaml", text});
  struct Counting final : Sink {
    std::string all;
    size_t writes = 0;
    void write(std::string_view t) override {
      all.append(t);
      ++writes;
    }
  } sink;
  write_yaml(*tree.root, sink);
  CHECK(sink.all == to_yaml(*tree.root));
  CHECK(sink.writes > 1);  // ~150 KB in 64 KiB pieces, not one string
  struct Full final : Sink {
    void write(std::string_view) override { fail(util::Exit::io, "out: write failed: No space left on device"); }
  } full;
  try {
    write_yaml(*tree.root, full);
    FAIL("no error");
  } catch (const Error& e) {
    CHECK(e.exit() == util::Exit::io);
    CHECK(std::string(e.what()) == "out: write failed: No space left on device");
  }
}
