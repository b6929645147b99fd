#include <catch2/catch.hpp>

#include "model/dag.h"
#include "model/id_index.h"

using namespace wf::model;

namespace {

Workflow make(std::vector<std::pair<std::string, std::vector<std::string>>> tasks) {
  Workflow wf;
  for (auto& [id, needs] : tasks) {
    Task t;
    t.id = id;
    t.needs = needs;
    wf.tasks.push_back(std::move(t));
  }
  return wf;
}

std::vector<uint32_t> list(std::span<const uint32_t> s) { return {s.begin(), s.end()}; }

}  // namespace

TEST_CASE("IdIndex finds every id and nothing else") {
  Workflow wf;
  for (int i = 0; i < 5000; ++i) {
    Task t;
    t.id = "task-with-a-longer-name-" + std::to_string(i);
    wf.tasks.push_back(t);
  }
  IdIndex index(wf);
  CHECK(index.size() == 5000);
  for (uint32_t i = 0; i < 5000; i += 7) CHECK(index.find(wf.tasks[i].id) == i);
  CHECK(index.find("task-with-a-longer-name-5000") == std::nullopt);
  CHECK(index.find("") == std::nullopt);
  CHECK(index.duplicates().empty());
  CHECK(IdIndex().find("x") == std::nullopt);
}

TEST_CASE("IdIndex keeps the first of a repeated id and lists the others in order") {
  auto wf = make({{"a", {}}, {"b", {}}, {"a", {}}, {"b", {}}, {"a", {}}});
  IdIndex index(wf);
  CHECK(index.find("a") == 0u);
  CHECK(index.find("b") == 1u);
  using P = std::pair<uint32_t, uint32_t>;
  CHECK(index.duplicates() == std::vector<P>{{2, 0}, {3, 1}, {4, 0}});
}

TEST_CASE("IdIndex hashes ids that differ only past eight bytes apart") {
  CHECK(IdIndex::hash("abcdefgh1") != IdIndex::hash("abcdefgh2"));
  CHECK(IdIndex::hash("a") != IdIndex::hash(std::string_view("a\0", 2)));
  CHECK(IdIndex::hash("same") == IdIndex::hash(std::string("same")));
}

TEST_CASE("Dag: parents in needs order, children in task order, a deterministic topological order") {
  auto wf = make({{"join", {"left", "right"}}, {"left", {"src"}}, {"src", {}}, {"right", {"src"}}, {"alone", {}}});
  Dag dag(wf);
  REQUIRE(dag.size() == 5);
  CHECK(list(dag.parents(0)) == std::vector<uint32_t>{1, 3});
  CHECK(list(dag.children(2)) == std::vector<uint32_t>{1, 3});
  CHECK(list(dag.children(4)).empty());
  CHECK(dag.acyclic());
  CHECK(dag.topo_order() == std::vector<uint32_t>{2, 4, 1, 3, 0});
  // The same graph from a shared index.
  IdIndex index(wf);
  Dag again(wf, index);
  CHECK(again.topo_order() == dag.topo_order());
}

TEST_CASE("Dag leaves out unknown and self needs, and finds a cycle") {
  auto wf = make({{"a", {"c", "ghost", "a"}}, {"b", {"a"}}, {"c", {"b"}}, {"d", {}}});
  Dag dag(wf);
  CHECK(list(dag.parents(0)) == std::vector<uint32_t>{2});
  CHECK_FALSE(dag.acyclic());
  CHECK(dag.topo_order() == std::vector<uint32_t>{3});
}
