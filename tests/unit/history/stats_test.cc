#include <catch2/catch.hpp>

#include <fmt/format.h>

#include "history/stats.h"
#include "history/store.h"
#include "temp_dir.h"

using namespace wf::history;
using Catch::Detail::Approx;
using wf::history::testing::query;

TEST_CASE("summarize: median, MAD, p95 and max of known data") {
  Summary s = summarize({10, 1, 2, 4, 3});  // sorted 1 2 3 4 10
  CHECK(s.n == 5);
  CHECK(s.median == 3);
  CHECK(s.mad == 1);                    // |dev| = 2 1 0 1 7 -> 0 1 1 2 7
  CHECK(s.p95 == Approx(8.8));          // rank 3.8 between 4 and 10
  CHECK(s.max == 10);
  CHECK(summarize({}) == Summary{});
  Summary one = summarize({7});
  CHECK(one.median == 7);
  CHECK(one.mad == 0);
  CHECK(one.p95 == 7);
  CHECK(one.max == 7);
  Summary even = summarize({1, 2, 3, 4});
  CHECK(even.median == 2.5);
  CHECK(even.mad == 1);                 // |dev| 1.5 0.5 0.5 1.5
}

TEST_CASE("store stats over a category's succeeded rows") {
  Store store = Store::open(":memory:");
  std::vector<Execution> rows;
  for (int i = 1; i <= 20; ++i) {
    Execution e;
    e.run_id = "r";
    e.task_id = fmt::format("t{}", i);
    e.category = "bwa";
    e.end_s = i;
    e.runtime_s = i;                             // 1..20
    e.peak_rss_bytes = 1000 * i;
    if (i % 2 == 0) e.cpu_time_s = 2.0 * i;      // only half measured CPU
    rows.push_back(e);
  }
  Execution failed = rows[0];
  failed.task_id = "failed";
  failed.status = Status::failed;
  failed.runtime_s = 1e6;
  rows.push_back(failed);
  store.record_batch(rows);

  CategoryStats s = store.stats("bwa");
  CHECK(s.category == "bwa");
  CHECK(s.count == 20);
  CHECK(s.runtime_s.n == 20);
  CHECK(s.runtime_s.median == 10.5);
  CHECK(s.runtime_s.mad == 5);
  CHECK(s.runtime_s.p95 == Approx(19.05));
  CHECK(s.peak_rss_bytes.median == 10500);
  CHECK(s.cpu_time_s.n == 10);
  CHECK(s.cpu_time_s.median == 22);              // 4, 8, ..., 40
  CHECK(store.stats("bwa", query(false)).count == 21);
  CHECK(store.stats("bwa", query(true, 4)).runtime_s.median == 18.5);
  CHECK(store.stats("none").count == 0);
}
