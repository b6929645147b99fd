#include <catch2/catch.hpp>
#include <rapidjson/document.h>

#include "support.h"

using wf::test::run_tool;
using wf::test::source_path;

TEST_CASE("wf-analyze: --help and --version exit 0 and print usage") {
  auto r = run_tool(wf::cli::analyze_main, {"wf-analyze", "--help"});
  CHECK(r.code == 0);
  auto v = run_tool(wf::cli::analyze_main, {"wf-analyze", "--version"});
  CHECK(v.code == 0);
}

TEST_CASE("wf-analyze: a bad flag is a usage error (64), never CLI11's own code") {
  auto r = run_tool(wf::cli::analyze_main, {"wf-analyze", "--no-such-flag"});
  CHECK(r.code == 64);
  CHECK(r.err.find("wf-analyze: error:") == 0);
  auto f = run_tool(wf::cli::analyze_main, {"wf-analyze", "--format", "pdf", source_path("examples/etl.yaml")});
  CHECK(f.code == 64);
}

TEST_CASE("wf-analyze: a missing file is 66, an invalid workflow 65 with the position") {
  auto r = run_tool(wf::cli::analyze_main, {"wf-analyze", "/nonexistent/wf.yaml"});
  CHECK(r.code == 66);
  CHECK(r.err.find("/nonexistent/wf.yaml") != std::string::npos);
  auto bad = run_tool(wf::cli::analyze_main, {"wf-analyze", source_path("tests/data/malformed/04-cycle.yaml")});
  CHECK(bad.code == 65);
  CHECK(bad.err.find("dependency cycle: a -> b -> c -> a") != std::string::npos);
  CHECK(bad.out.empty());
}

TEST_CASE("wf-analyze: success writes the document with an analysis section") {
  auto r = run_tool(wf::cli::analyze_main, {"wf-analyze", "-q", source_path("examples/etl.yaml")});
  REQUIRE(r.code == 0);
  rapidjson::Document d;
  d.Parse(r.out.c_str());
  REQUIRE(!d.HasParseError());
  CHECK(std::string(d["apiVersion"].GetString()) == "wf/v1");
  CHECK(d["analysis"]["tasks"].GetInt() == 9);
  CHECK(d["analysis"]["critical_path"]["length_s"].GetDouble() == Approx(9));
  // Same input, same bytes.
  auto again = run_tool(wf::cli::analyze_main, {"wf-analyze", "-q", source_path("examples/etl.yaml")});
  CHECK(again.out == r.out);
}

TEST_CASE("wf-analyze: --check prints nothing and --param overrides a param") {
  auto r = run_tool(wf::cli::analyze_main, {"wf-analyze", "--check", source_path("examples/etl.yaml")});
  CHECK(r.code == 0);
  CHECK(r.out.empty());
  auto p = run_tool(wf::cli::analyze_main, {"wf-analyze", "-q", "-p", "rows=7", source_path("examples/etl.yaml")});
  REQUIRE(p.code == 0);
  rapidjson::Document d;
  d.Parse(p.out.c_str());
  CHECK(d["workflow"]["params"]["rows"].GetInt() == 7);
  auto bad = run_tool(wf::cli::analyze_main, {"wf-analyze", "-p", "novalue", source_path("examples/etl.yaml")});
  CHECK(bad.code == 64);
}

TEST_CASE("wf-analyze: table and dot formats") {
  auto t = run_tool(wf::cli::analyze_main, {"wf-analyze", "-q", "--format", "table", source_path("examples/etl.yaml")});
  CHECK(t.code == 0);
  CHECK(t.out.find("critical path") != std::string::npos);
  auto d = run_tool(wf::cli::analyze_main, {"wf-analyze", "-q", "--format", "dot", source_path("examples/etl.yaml")});
  CHECK(d.out.find("digraph") == 0);
  CHECK(d.out.find("color=red") != std::string::npos);
}
