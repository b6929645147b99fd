#include <catch2/catch.hpp>

#include "report/axis.h"
#include "report/iso_time.h"
#include "report/svg.h"

using namespace wf::report;

TEST_CASE("ticks are round numbers from 0 past the maximum", "[report][axis]") {
  Ticks t = nice_ticks(3.4, Unit::cpus, 4);
  CHECK(t.values.front() == 0);
  CHECK(t.top >= 3.4);
  CHECK(t.values == std::vector<double>{0, 1, 2, 3, 4});
  // Bytes step through binary units.
  Ticks m = nice_ticks(1.2 * 1073741824.0, Unit::bytes, 5);
  CHECK(m.values[1] == 268435456);  // 256MiB
  CHECK(axis_label(m.values[1], Unit::bytes) == "256MiB");
  CHECK(axis_label(m.values[4], Unit::bytes) == "1GiB");
  // Time steps through minutes and hours.
  Ticks t2 = nice_ticks(5000, Unit::seconds, 8);
  CHECK(t2.values[1] == 900);
  CHECK(axis_label(900, Unit::seconds) == "15m");
  CHECK(axis_label(5400, Unit::seconds) == "1h30m");
  CHECK(axis_label(90, Unit::seconds) == "1m30s");
  CHECK(axis_label(2.5, Unit::seconds) == "2.5s");
  CHECK(nice_ticks(0, Unit::cpus).top == 1);  // nothing measured still gives an axis
}

TEST_CASE("numbers for people", "[report][axis]") {
  CHECK(plain(0.25) == "0.25");
  CHECK(plain(12.5) == "12.5");
  CHECK(plain(1234.4) == "1234");
  CHECK(plain(3.0) == "3");
  CHECK(grouped(100000) == "100,000");
  CHECK(grouped(999) == "999");
  CHECK(format_ratio(1.8) == "×1.8");
  CHECK(format_value(1, Unit::cpus) == "1 cpu");
  CHECK(format_value(2.5, Unit::cpus) == "2.5 cpus");
  CHECK(format_value(3 * 1048576.0, Unit::bytes_per_s) == "3MiB/s");
}

TEST_CASE("SVG text pieces", "[report][svg]") {
  CHECK(px(12.04) == "12");
  CHECK(px(-0.04) == "0");
  CHECK(px(3.25) == "3.3");
  CHECK(px(-2.5) == "-2.5");
  CHECK(escape("a<b & \"c\" 'd'") == "a&lt;b &amp; &quot;c&quot; &#39;d&#39;");
  CHECK(escape(std::string("x\x01y")) == "x y");
  CHECK(shorten("abcdef", 4) == "abc…");
  CHECK(shorten("abcd", 4) == "abcd");
  CHECK(shorten("ééééé", 3) == "éé…");
}

TEST_CASE("the run's timestamps parse", "[report][time]") {
  CHECK(parse_iso8601("1970-01-01T00:00:00Z") == 0.0);
  CHECK(parse_iso8601("2026-11-29T02:00:00Z") == 1795917600.0);
  CHECK(parse_iso8601("2026-11-29T03:00:00+01:00") == 1795917600.0);
  CHECK(*parse_iso8601("2026-11-29T02:00:00.25Z") == Approx(1795917600.25));
  CHECK(!parse_iso8601("2026-13-29T02:00:00Z"));
  CHECK(!parse_iso8601("yesterday"));
  CHECK(!parse_iso8601("2026-11-29T02:00:00Zulu"));
}
