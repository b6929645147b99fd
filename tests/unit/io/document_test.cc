#include <catch2/catch.hpp>

#include "io/document.h"
#include "io/native.h"
#include "io/streamed.h"
#include "util/error.h"

using namespace wf;
using namespace wf::io;

namespace {

Document load(std::string text, std::string name = "wf.yaml") { return Document::from_source(Source{std::move(name), std::move(text)}); }

// The error lines of the input, once every problem is collected.
std::vector<std::string> problems(std::string text, std::string name = "wf.yaml") {
  try {
    auto doc = load(std::move(text), std::move(name));
    doc.diagnostics().finish();
  } catch (const Errors& e) {
    return e.all();
  } catch (const Error& e) {
    return {e.what()};
  }
  return {};
}

const char* kNative = R"(name: demo
description: {text: kept}
owner: team-a
params: {day: "2026-11-29", n: 4, ratio: "1.10"}
defaults: {cpus: 1, mem: 64MiB, retries: 1, timeout: 10m}
tasks:
  - id: fetch
    run: "curl -o raw {{day}}"
    outputs: [raw, {path: ref, size: 1KiB}]
    duration: 2s
    team: {lead: ann}
  - id: crunch
    needs: fetch
    category: math
    run: [python3, crunch.py, "{{n}}"]
    cpus: 500m
    mem: 2GiB
    net: 1Gbps
    priority: 5
    x-note: [1, 2]
)";

}  // namespace

TEST_CASE("a native workflow is normalised: defaults applied, base units, unknown keys carried over") {
  auto doc = load(kNative);
  CHECK(doc.input_kind() == "workflow");
  const Json& root = doc.root();
  CHECK(view(root["apiVersion"]) == "wf/v1");
  const Json& w = root["workflow"];
  CHECK(to_json(w["description"], false) == "{\"text\":\"kept\"}\n");
  CHECK(view(w["owner"]) == "team-a");
  CHECK(to_json(w["params"], false) == "{\"day\":\"2026-11-29\",\"n\":4,\"ratio\":\"1.10\"}\n");
  const Json& fetch = w["tasks"][0];
  CHECK(to_json(fetch, false) ==
        R"({"id":"fetch","run":"curl -o raw {{day}}","outputs":["raw",{"path":"ref","size_bytes":1024}],"cpus":1,"mem_bytes":67108864,"duration_s":2,"timeout_s":600,"retries":1,"team":{"lead":"ann"}})"
        "\n");
  const Json& crunch = w["tasks"][1];
  CHECK(to_json(crunch, false) ==
        R"({"id":"crunch","run":["python3","crunch.py","{{n}}"],"needs":["fetch"],"category":"math","cpus":0.5,"mem_bytes":2147483648,"net_bytes_per_s":125000000,"timeout_s":600,"priority":5,"retries":1,"x-note":[1,2]})"
        "\n");
  CHECK(doc.workflow().tasks[1].hints.mem_bytes == 2147483648ULL);
  CHECK(doc.task_pointer(1) == "/tasks/1");
}

TEST_CASE("round trip: native -> normalised -> read again gives the same model and the same text") {
  auto doc = load(kNative);
  std::string once = doc.serialize(Format::json);
  auto again = load(once, "doc.json");
  CHECK(again.input_kind() == "document");
  CHECK(again.serialize(Format::json) == once);
  const auto& a = doc.workflow().tasks;
  const auto& b = again.workflow().tasks;
  REQUIRE(a.size() == b.size());
  for (size_t i = 0; i < a.size(); ++i) {
    CHECK(a[i].id == b[i].id);
    CHECK(a[i].needs == b[i].needs);
    CHECK(a[i].run.argv == b[i].run.argv);
    CHECK(a[i].hints.mem_bytes == b[i].hints.mem_bytes);
    CHECK(a[i].hints.cpus == b[i].hints.cpus);
    CHECK(a[i].timeout_s == b[i].timeout_s);
  }
  // YAML of the same tree reads back to the same document too.
  auto from_yaml = load(doc.serialize(Format::yaml), "doc.yaml");
  CHECK(from_yaml.serialize(Format::json) == once);
}

TEST_CASE("the same input gives the same bytes, streamed or not") {
  std::string a = load(kNative).serialize(Format::json);
  std::string b = load(kNative).serialize(Format::json);
  CHECK(a == b);
  StringSink sink;
  load(kNative).write(Format::json, sink);
  CHECK(sink.text() == a);
  StringSink yaml;
  load(kNative).write(Format::yaml, yaml);
  CHECK(yaml.text() == load(kNative).serialize(Format::yaml));
}

TEST_CASE("tasks as a mapping: ids from the keys, pointers by id") {
  auto doc = load("tasks:\n  b: {run: echo b, needs: a}\n  a: {run: echo a}\n");
  REQUIRE(doc.workflow().tasks.size() == 2);
  CHECK(doc.workflow().tasks[0].id == "b");
  CHECK(doc.task_pointer(0) == "/tasks/b");
  CHECK(doc.locator().where(doc.task_pointer(1)) == "wf.yaml:3:6");
}

TEST_CASE("store_workflow writes the model back and keeps unknown keys") {
  auto doc = load(kNative);
  doc.mutable_workflow().tasks[0].hints.cpus = 4;
  doc.store_workflow();
  const Json& fetch = doc.root()["workflow"]["tasks"][0];
  CHECK(fetch["cpus"].GetInt() == 4);
  CHECK(view(fetch["team"]["lead"]) == "ann");
  CHECK(view(doc.root()["workflow"]["owner"]) == "team-a");
}

TEST_CASE("every problem of a file is reported at its position, a bad default once") {
  auto lines = problems("defaults: {mem: lots}\ntasks:\n  - id: a\n    run: echo\n    cpus: many\n  - id: b\n    run: 7\n  - 3\n  - id: c\n");
  REQUIRE(lines.size() == 6);
  CHECK(lines[0] == "wf.yaml:1:17: defaults: mem: 'lots' is not a size (expected e.g. 512MiB, 2GiB, 1.5GB)");
  CHECK(lines[1] == "wf.yaml:5:11: task 'a': cpus: 'many' is not a CPU count (expected e.g. 2, 0.5, 500m)");
  CHECK(lines[2] == "wf.yaml:7:10: task 'b': 'run' must be a shell string or a non-empty argv list, not a number");
  CHECK(lines[3] == "wf.yaml:6:5: task 'b' has no command ('run')");
  CHECK(lines[4] == "wf.yaml:8:5: a task must be a mapping, not a number");
  CHECK(lines[5] == "wf.yaml:9:5: task 'c' has no command ('run')");
}

TEST_CASE("pointers skip an input item that is not a task") {
  auto doc = load("tasks:\n  - 3\n  - id: a\n    run: echo\n");
  REQUIRE(doc.workflow().tasks.size() == 1);
  CHECK(doc.task_pointer(0) == "/tasks/1");
}

TEST_CASE("an unknown major apiVersion is refused") {
  auto lines = problems(R"({"apiVersion": "wf/v2", "workflow": {"tasks": []}})", "d.json");
  REQUIRE(lines.size() == 1);
  CHECK(lines[0] == "d.json:1:16: apiVersion 'wf/v2' is a major version this wf does not know (it reads wf/v1)");
}

TEST_CASE("a WfFormat instance of no tasks is refused, as a native workflow of none is") {
  // Found by fuzzing (tests/fuzz/document_fuzz.cc): read without error, its document did not read back.
  CHECK(problems(R"({"workflow": {"tasks": []}})", "w.json") ==
        std::vector<std::string>{"w.json:1:24: WfFormat: the instance has no tasks"});
  CHECK(problems(R"({"schemaVersion": "1.5", "workflow": {"specification": {"tasks": []}}})", "w.json") ==
        std::vector<std::string>{"w.json:1:66: WfFormat: the instance has no tasks"});
}

TEST_CASE("a streamed list writes the bytes the same list in the tree writes, chunk after chunk") {
  // More items than one chunk, so the list crosses chunk boundaries; an item per index.
  const size_t n = kStreamChunk * 2 + 7;
  auto item = [](Builder& b, size_t i) {
    b.begin_object();
    b.key("id");
    b.string("t" + std::to_string(i));
    b.key("q");
    b.begin_object();
    b.key("p50");
    b.number(static_cast<double>(i) / 8);
    b.key("tags");
    b.begin_array();
    if (i % 3 == 0) b.string("x");
    b.end_array();
    b.end_object();
    b.end_object();
  };
  auto section = [&](Alloc& a, bool with_items) {
    return build(a, [&](Builder& b) {
      b.begin_object();
      b.key("seed");
      b.uint(7);
      b.key("tasks");
      b.begin_array();
      if (with_items)
        for (size_t i = 0; i < n; ++i) item(b, i);
      b.end_array();
      b.key("after");
      b.string("kept");
      b.end_object();
    });
  };
  Document held = load(kNative);
  held.set_section("prediction", section(held.alloc(), true));
  Document streamed = load(kNative);
  streamed.set_section("prediction", section(streamed.alloc(), false));
  size_t calls = 0;
  streamed.stream_list("prediction", "tasks", {n, [&](size_t begin, size_t end, Builder& b) {
                                                 ++calls;
                                                 for (size_t i = begin; i < end; ++i) item(b, i);
                                               }});
  CHECK(streamed.serialize(Format::json) == held.serialize(Format::json));
  CHECK(calls == 3);
  CHECK(streamed.serialize(Format::yaml) == held.serialize(Format::yaml));
  StringSink sink;
  streamed.write(Format::json, sink);
  CHECK(sink.take() == held.serialize(Format::json));
  // The tree itself holds an empty list there; replacing the section drops the stream.
  CHECK((*streamed.section("prediction"))["tasks"].Empty());
  streamed.set_section("prediction", section(streamed.alloc(), false));
  CHECK(streamed.serialize(Format::json).find("\"t0\"") == std::string::npos);
  // An empty stream is an empty list; a section that is not there is a programming error.
  streamed.stream_list("prediction", "tasks", {0, [](size_t, size_t, Builder&) { FAIL("no items to make"); }});
  CHECK(streamed.serialize(Format::json).find("\"tasks\": []") != std::string::npos);
  CHECK_THROWS_AS(streamed.stream_list("nowhere", "tasks", {}), Error);
}
