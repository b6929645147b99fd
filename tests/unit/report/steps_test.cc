#include <catch2/catch.hpp>

#include "report/steps.h"

using namespace wf::report;

TEST_CASE("sum_intervals adds what overlaps and takes ends before starts at the same instant", "[report][steps]") {
  // [0,2) 1 cpu, [1,3) 2 cpus, [3,4) 1 cpu: the second ends as the third starts, no 4-cpu spike.
  StepSeries s = sum_intervals({{0, 2, 1}, {1, 3, 2}, {3, 4, 1}});
  REQUIRE(s.steps.size() == 4);
  CHECK(s.end_s == 4);
  CHECK(value_at(s, 0.5) == 1);
  CHECK(value_at(s, 1.5) == 3);
  CHECK(value_at(s, 2.5) == 2);
  CHECK(value_at(s, 3) == 1);
  CHECK(value_at(s, 4) == 0);
  CHECK(s.max() == 3);
}

TEST_CASE("sum_intervals starts at 0 and leaves no rounding residue", "[report][steps]") {
  StepSeries s = sum_intervals({{5, 6, 0.1}, {5, 7, 0.2}, {6, 7, 0.7}});
  CHECK(s.steps.front().t_s == 0);
  CHECK(s.steps.front().value == 0);
  CHECK(value_at(s, 6.5) == Approx(0.9));
  CHECK(s.end_s == 7);
  CHECK(sum_intervals({}).empty());
  CHECK(sum_intervals({{3, 3, 1}, {4, 2, 1}}).empty());  // empty and backwards intervals are nothing
}

TEST_CASE("bucket_max keeps every peak however short", "[report][steps]") {
  StepSeries s;
  for (int i = 0; i < 10000; ++i) s.steps.push_back({static_cast<double>(i), i == 7777 ? 50.0 : 1.0 + (i % 3)});
  s.end_s = 10000;
  StepSeries b = bucket_max(s, 100);
  CHECK(b.steps.size() <= 100);
  CHECK(b.max() == 50);
  CHECK(b.end_s == 10000);
  CHECK(value_at(b, 7777) == 50);
  CHECK(value_at(b, 10) == 3);  // the bucket's maximum, never its mean
  // Small series are left alone.
  StepSeries small{{{0, 1}, {1, 2}}, 2};
  CHECK(bucket_max(small, 100).steps.size() == 2);
}
