#include <catch2/catch.hpp>

#include "alert/baselines.h"
#include "alert/detector.h"
#include "io/json.h"

using namespace wf;
using namespace wf::alert;

namespace {

Thresholds quick() {
  Thresholds t;
  t.min_samples = 3;
  t.runtime_floor_s = 1;
  t.cpu_floor_s = 1;
  t.mem_floor_bytes = 1000;
  t.io_floor_bytes = 1000;
  return t;
}

Detector detector_with(const Thresholds& t) {
  TaskBaseline b{"align", "bwa", {}};
  b.expected[static_cast<size_t>(Measure::runtime_s)] = expected_from_history({10, 11, 9, 10, 10}, Measure::runtime_s, t);
  b.expected[static_cast<size_t>(Measure::peak_rss_bytes)] =
      expected_from_history({1e6, 1.1e6, 0.9e6, 1e6}, Measure::peak_rss_bytes, t);
  TaskBaseline unknown{"new", "new", {}};
  return Detector({b, unknown}, t, {"run-1", "wf"});
}

run::LiveSample sample(uint32_t task, double elapsed, uint64_t rss) {
  run::LiveSample s;
  s.task = task;
  s.elapsed_s = elapsed;
  s.usage.rss_bytes = rss;
  s.peak_rss_bytes = rss;
  return s;
}

}  // namespace

TEST_CASE("a running task past its runtime limit alerts once") {
  Thresholds t = quick();
  Detector d = detector_with(t);
  CHECK(d.sampled(sample(0, 5, 1000), 1000, 5).empty());
  auto a = d.sampled(sample(0, 40, 1000), 1035, 40);
  REQUIRE(a.size() == 1);
  CHECK(a[0].measure == Measure::runtime_s);
  CHECK(a[0].phase == "running");
  CHECK(a[0].task == "align");
  CHECK(a[0].category == "bwa");
  CHECK(a[0].run_id == "run-1");
  CHECK(a[0].value == 40);
  CHECK(a[0].z);
  CHECK(d.sampled(sample(0, 50, 1000), 1045, 50).empty());  // once per attempt and kind
  // ... and not again when it ends, for the same kind
  run::AttemptResult r;
  r.status = "succeeded";
  r.runtime_s = 60;
  CHECK(d.finished(0, 1, r, 1055, 60).empty());
  // A new attempt is a new alert.
  run::LiveSample s2 = sample(0, 45, 1000);
  s2.attempt = 2;
  CHECK(d.sampled(s2, 1100, 100).size() == 1);
}

TEST_CASE("on a loaded host a runtime is judged as on an idle one, and the alert says both") {
  Detector d = detector_with(quick());
  // 10 s of CPU in 40 s with 4 runnable threads per CPU: 10 s on an idle host, as usual.
  run::LiveSample busy = sample(0, 40, 1000);
  busy.usage.cpu_s = 10;
  busy.reserved.cpus = 1;
  busy.oversubscription = 4;
  CHECK(d.sampled(busy, 1040, 40).empty());
  run::AttemptResult r;
  r.status = "succeeded";
  r.runtime_s = 40;
  r.cpu_time_s = 10;
  r.reserved.cpus = 1;
  r.host_runnable = 8;
  r.host_cpus = 2;
  CHECK(d.finished(0, 1, r, 1040, 40).empty());
  // Waiting, not computing, is not the load's doing: 1 s of CPU in 40 s is 37 s on an idle host.
  r.cpu_time_s = 1;
  auto a = d.finished(0, 2, r, 1040, 40);
  REQUIRE(a.size() == 1);
  CHECK(a[0].value == Approx(37));
  CHECK(a[0].measured == 40);
  CHECK(a[0].oversubscription == 4);
  CHECK_THAT(describe(a[0]), Catch::Contains("ran 37s as on an idle host (40s measured, 4.0 runnable threads per CPU)"));
  CHECK_THAT(to_json(a[0]), Catch::Contains("\"measured\":40") && Catch::Contains("\"oversubscription\":4"));
  // An idle host: the clock's runtime, and no such fields.
  r.host_runnable = 1;
  auto b = d.finished(0, 3, r, 1040, 40);
  REQUIRE(b.size() == 1);
  CHECK(b[0].value == 40);
  CHECK_FALSE(b[0].measured);
  CHECK_THAT(to_json(b[0]), !Catch::Contains("measured"));
}

TEST_CASE("memory alerts only while growing past the limit") {
  Detector d = detector_with(quick());
  CHECK(d.sampled(sample(0, 1, 5'000'000), 0, 1).empty());  // first sample: growth unknown
  CHECK(d.sampled(sample(0, 2, 5'000'000), 0, 2).empty());  // a plateau
  auto a = d.sampled(sample(0, 3, 6'000'000), 0, 3);
  REQUIRE(a.size() == 1);
  CHECK(a[0].measure == Measure::peak_rss_bytes);
  CHECK(a[0].severity == Severity::critical);
}

TEST_CASE("after the run: every recorded measure judged; interrupted attempts and unknown tasks never") {
  Detector d = detector_with(quick());
  run::AttemptResult r;
  r.status = "failed";
  r.runtime_s = 30;
  r.peak_rss_bytes = 900'000;
  auto a = d.finished(0, 1, r, 0, 30);
  REQUIRE(a.size() == 1);
  CHECK(a[0].phase == "finished");
  CHECK(a[0].status == "failed");
  r.status = "interrupted";
  CHECK(d.finished(0, 2, r, 0, 30).empty());
  r.status = "succeeded";
  r.runtime_s = 1e6;
  CHECK(d.finished(1, 1, r, 0, 30).empty());
  CHECK(d.finished(7, 1, r, 0, 30).empty());  // out of range
}

TEST_CASE("alert JSON carries what a receiver needs") {
  Detector d = detector_with(quick());
  auto a = d.sampled(sample(0, 40, 1000), 1700000000, 40);
  REQUIRE(a.size() == 1);
  io::JsonDoc doc;
  doc.Parse(to_json(a[0]).c_str());
  REQUIRE(doc.IsObject());
  CHECK(*io::get_string(doc, "kind") == "runtime");
  CHECK(*io::get_string(doc, "measure") == "runtime_s");
  CHECK(*io::get_string(doc, "severity") == "critical");
  CHECK(*io::get_string(doc, "task") == "align");
  CHECK(*io::get_string(doc, "workflow") == "wf");
  CHECK(*io::get_string(doc, "time") == "2023-11-14T22:13:20Z");
  CHECK(*io::get_number(doc, "value") == 40);
  const io::Json* ex = io::get(doc, "expected");
  REQUIRE(ex);
  CHECK(*io::get_number(*ex, "p50") == Approx(10));
  CHECK(*io::get_string(*ex, "source") == "history");
  CHECK(io::get_string(doc, "message")->find("task 'align' (category bwa) attempt 1 has run") == 0);
}

TEST_CASE("baselines: the model's interval first, history else, hints never") {
  model::Workflow wf;
  wf.tasks.resize(2);
  wf.tasks[0].id = "a";
  wf.tasks[0].category = "cat";
  wf.tasks[1].id = "b";
  Thresholds t = quick();
  std::vector<std::string> loaded;
  HistoryLoader loader = [&](std::string_view category) {
    loaded.emplace_back(category);
    std::vector<history::Execution> rows(4);
    for (size_t i = 0; i < rows.size(); ++i) rows[i].runtime_s = 10.0 + static_cast<double>(i);
    return rows;
  };
  std::vector<predict::Estimate> est(2);
  est[0].runtime_s = {100, 150, 180, 200};
  est[0].runtime_from = {predict::Source::model, "loglinear(input_bytes)", 50, 0.1, 0, 1, std::nullopt};
  est[1].runtime_s = {5, 6, 7, 8};
  est[1].runtime_from = {predict::Source::hints, "hint", 0, std::nullopt, 0, 1, std::nullopt};
  auto b = build_baselines(wf, &est, loader, t);
  REQUIRE(b.size() == 2);
  CHECK(b[0].category == "cat");
  CHECK(b[0].at(Measure::runtime_s)->source == "prediction:loglinear(input_bytes)");
  CHECK(b[0].at(Measure::runtime_s)->limit == Approx(300));
  CHECK(b[1].category == "b");
  CHECK(b[1].at(Measure::runtime_s)->source == "history");
  CHECK_FALSE(b[1].at(Measure::peak_rss_bytes));  // history recorded none
  CHECK(loaded == std::vector<std::string>{"cat", "b"});
  auto none = build_baselines(wf, nullptr, HistoryLoader(), t);
  CHECK_FALSE(none[0].at(Measure::runtime_s));
}
