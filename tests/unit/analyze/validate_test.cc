#include <catch2/catch.hpp>

#include "analyze/validate.h"
#include "io/document.h"
#include "util/error.h"

using namespace wf;

namespace {

std::vector<std::string> problems(std::string text) {
  auto doc = io::Document::from_source(io::Source{"wf.yaml", std::move(text)});
  try {
    analyze::checked_dag(doc);
  } catch (const Errors& e) {
    CHECK(e.exit() == util::Exit::data);
    return e.all();
  }
  return {};
}

}  // namespace

TEST_CASE("a sound workflow gives its DAG") {
  auto doc = io::Document::from_source(io::Source{"wf.yaml", "tasks:\n  - {id: a, run: x}\n  - {id: b, run: x, needs: [a]}\n"});
  auto dag = analyze::checked_dag(doc);
  CHECK(dag.size() == 2);
  CHECK(dag.acyclic());
}

TEST_CASE("a cycle is printed as the cycle, from its first task") {
  auto lines = problems("tasks:\n  - {id: x, run: r}\n  - {id: c, run: r, needs: b}\n  - {id: a, run: r, needs: c}\n  - {id: b, run: r, needs: a}\n");
  REQUIRE(lines.size() == 1);
  CHECK(lines[0] == "wf.yaml:3:5: dependency cycle: c -> a -> b -> c");
}

TEST_CASE("unknown and self needs, with a did-you-mean, at the need's position") {
  auto lines = problems("tasks:\n  - {id: transform, run: r}\n  - {id: load, run: r, needs: [transfrom, load]}\n");
  REQUIRE(lines.size() == 2);
  CHECK(lines[0] == "wf.yaml:3:32: task 'load' needs unknown task 'transfrom' (did you mean 'transform'?)");
  CHECK(lines[1] == "wf.yaml:3:43: task 'load' needs itself");
}

TEST_CASE("a duplicate id names where the first one is") {
  auto lines = problems("tasks:\n  - {id: a, run: r}\n  - {id: b, run: r}\n  - {id: a, run: r, needs: a}\n");
  REQUIRE(lines.size() == 2);
  CHECK(lines[0] == "wf.yaml:4:5: duplicate task id 'a' (first defined at wf.yaml:2:5)");
  CHECK(lines[1] == "wf.yaml:4:28: task 'a' needs itself");
}

TEST_CASE("an unknown param in a command is an error") {
  auto lines = problems("params: {day: 1}\ntasks:\n  - {id: a, run: 'echo {{dayy}}'}\n");
  REQUIRE(lines.size() == 1);
  CHECK(lines[0] == "wf.yaml:3:18: task 'a' uses unknown param '{{dayy}}' (did you mean 'day'?)");
}

TEST_CASE("a million alike problems are counted, not each composed") {
  std::string text = "tasks:\n";
  for (int i = 0; i < 2000; ++i) text += "  - {id: t" + std::to_string(i) + ", run: r, needs: [nope" + std::to_string(i) + "]}\n";
  auto lines = problems(text);
  REQUIRE(lines.size() == io::Diagnostics::kMaxReported + 1);
  CHECK(lines.back() == "wf.yaml: 1950 more like these not shown");
}
