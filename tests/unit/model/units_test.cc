#include <catch2/catch.hpp>

#include "model/units.h"

using namespace wf::model;

TEST_CASE("sizes, cpus, durations and rates parse to base units") {
  std::string why;
  CHECK(parse_bytes("2GiB", &why) == 2147483648ULL);
  CHECK(parse_bytes("1.5GB", &why) == 1500000000ULL);
  CHECK(parse_bytes("4096", &why) == 4096ULL);
  CHECK(parse_bytes("1 potato", &why) == std::nullopt);
  CHECK(why.find("unknown size unit") != std::string::npos);
  CHECK(parse_cpus("500m", &why) == Approx(0.5));
  CHECK(parse_duration("1h30m", &why) == Approx(5400));
  CHECK(parse_duration("250ms", &why) == Approx(0.25));
  CHECK(parse_rate("100MB/s", &why) == Approx(1e8));
  CHECK(parse_rate("1Gbps", &why) == Approx(1.25e8));
}

TEST_CASE("quantities print for people") {
  CHECK(format_bytes(512.0 * 1024 * 1024) == "512MiB");
  CHECK(format_duration(5400) == "1h30m");
  CHECK(format_duration(4.2) == "4.2s");
}
