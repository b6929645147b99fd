// What wf-reap takes from a document: ids and one owner run, nothing else.
#include <catch2/catch.hpp>

#include "reap/document.h"
#include "util/error.h"

using namespace wf;

namespace {

reap::DocumentClaim claim_of(std::string text) {
  return reap::document_claim(io::Document::from_source(io::Source{"doc.json", std::move(text)}));
}

constexpr const char* kWorkflow = R"("apiVersion":"wf/v1","workflow":{"name":"w","tasks":[{"id":"a","run":"true"}]})";

}  // namespace

TEST_CASE("a document's owner is its provision section's run; ids are listed in order") {
  auto c = claim_of(fmt::format(R"({{{},"provision":{{"run_id":"r1","resources":[{{"id":"res-1"}},{{"id":"res-2","run_id":"r9"}}]}},"run":{{"run_id":"r1"}}}})", kWorkflow));
  CHECK(c.has_provision);
  CHECK(c.owners == std::vector<std::string>{"r1"});
  CHECK(c.ids == std::vector<std::string>{"res-1", "res-2"});
  CHECK(c.warning.empty());
}

TEST_CASE("a run section naming another run adds no owner, and is warned about") {
  auto c = claim_of(fmt::format(R"({{{},"provision":{{"run_id":"r1","resources":[{{"id":"res-1"}}]}},"run":{{"run_id":"theirs"}}}})", kWorkflow));
  CHECK(c.owners == std::vector<std::string>{"r1"});
  CHECK(c.warning.find("theirs") != std::string::npos);
}

TEST_CASE("without provision.run_id the run section's run owns; with neither nothing does") {
  auto from_run = claim_of(fmt::format(R"({{{},"provision":{{"resources":[{{"id":"res-1"}}]}},"run":{{"run_id":"r2"}}}})", kWorkflow));
  CHECK(from_run.owners == std::vector<std::string>{"r2"});
  auto none = claim_of(fmt::format(R"({{{},"provision":{{"run_id":"","resources":[{{"id":"res-1"}}]}}}})", kWorkflow));
  CHECK(none.owners.empty());
  auto no_provision = claim_of(fmt::format(R"({{{},"run":{{"run_id":"r3"}}}})", kWorkflow));
  CHECK_FALSE(no_provision.has_provision);
  CHECK(no_provision.ids.empty());
}

TEST_CASE("resources that are not a list of objects with string ids are refused with 65") {
  for (const char* bad : {R"("resources":{"id":"res-1"})", R"("resources":[{"id":7}])", R"("resources":["res-1"])"}) {
    try {
      claim_of(fmt::format(R"({{{},"provision":{{"run_id":"r1",{}}}}})", kWorkflow, bad));
      FAIL("accepted " << bad);
    } catch (const Error& e) {
      CHECK(e.exit() == util::Exit::data);
    }
  }
}
