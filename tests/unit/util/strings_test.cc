#include <catch2/catch.hpp>

#include "util/csv.h"
#include "util/error.h"
#include "util/strings.h"

using namespace wf::util;

TEST_CASE("closest suggests a near candidate and nothing for a far one") {
  std::vector<std::string> ids{"extract", "transform", "load"};
  CHECK(closest("transfrom", ids) == std::optional<std::string>("transform"));
  CHECK(closest("zzz", ids) == std::nullopt);
}

TEST_CASE("shell_quote makes any string one word") {
  CHECK(shell_quote("plain-word_1.txt") == "plain-word_1.txt");
  CHECK(shell_quote("") == "''");
  CHECK(shell_quote("a b") == "'a b'");
  CHECK(shell_quote("it's; rm -rf /") == "'it'\\''s; rm -rf /'");
  CHECK(shell_quote("$(id)\n") == "'$(id)\n'");
}

TEST_CASE("format_number is shortest and locale-free") {
  CHECK(format_number(0.1) == "0.1");
  CHECK(format_number(3) == "3");
  CHECK(format_number(-2.5) == "-2.5");
}

TEST_CASE("strict number parses consume the whole string") {
  CHECK(parse_int("42") == 42);
  CHECK(parse_int("4x") == std::nullopt);
  CHECK(parse_double("1.5e3") == 1500.0);
  CHECK(parse_double("") == std::nullopt);
}

TEST_CASE("csv reads quotes, CRLF and reports ragged rows with their line") {
  auto csv = Csv::parse("a,b\r\n1,\"x,\"\"y\"\"\"\n\n2,z\n", "t.csv");
  REQUIRE(csv.rows() == 2);
  CHECK(csv.at(0, 1) == "x,\"y\"");
  CHECK(csv.at(1, 0) == "2");
  CHECK(csv.line(1) == 4);
  CHECK(csv.column("b") == 1u);
  CHECK_THROWS_WITH(Csv::parse("a,b\n1\n", "t.csv"), "t.csv:2: expected 2 fields as in the header, found 1");
  CHECK_THROWS_AS(Csv::parse("a\n\"open\n", "t.csv"), wf::Error);
}

TEST_CASE("csv takes other separators") {
  auto csv = Csv::parse("JobID|State\n1|COMPLETED\n", "sacct", '|');
  CHECK(csv.at(0, 1) == "COMPLETED");
}
