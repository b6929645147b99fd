#include <catch2/catch.hpp>

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
