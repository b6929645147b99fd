#include <catch2/catch.hpp>

#include <algorithm>

#include "io/document.h"
#include "report/report.h"
#include "synthetic.h"
#include "util/error.h"

using namespace wf;
using namespace wf::report;
using testing::Synthetic;
using testing::synthetic_document;

namespace {

ReportData read(const std::string& text) {
  auto doc = io::Document::from_source({"doc.json", text});
  doc.diagnostics().finish();
  return read_report(doc);
}

const Bar& bar(const ReportData& d, std::string_view id) {
  auto it = std::find_if(d.bars.begin(), d.bars.end(), [&](const Bar& b) { return b.id == id; });
  REQUIRE(it != d.bars.end());
  return *it;
}

}  // namespace

TEST_CASE("a full document: bars, categories, marks, deviations, demand, plan", "[report][read]") {
  ReportData d = read(synthetic_document({}));
  CHECK(d.workflow == "synthetic-10");
  CHECK(d.run_id == "r1");
  CHECK(d.has_run);
  CHECK(d.has_prediction);
  REQUIRE(d.bars.size() == 10);
  CHECK(d.bars_source == "run");
  // Categories heaviest first; each bar points at its own.
  REQUIRE(d.categories.size() == 3);
  for (size_t i = 1; i < d.categories.size(); ++i) CHECK(d.categories[i - 1].busy_s >= d.categories[i].busy_s);
  for (const auto& b : d.bars) CHECK(b.id.starts_with(d.categories[b.category].name));
  // Task 3 failed once: two attempts, the first failed, placed by start_offset_s.
  const Bar& retried = bar(d, "extract-00003");
  REQUIRE(retried.attempts.size() == 2);
  CHECK(retried.attempts[0].failed);
  CHECK(!retried.attempts[1].failed);
  CHECK(retried.attempts[1].start_s > retried.attempts[0].end_s);
  CHECK(bar(d, "extract-00000").critical);  // slot 0 is the critical path of the fixture
  CHECK(!bar(d, "transform-00001").critical);
  REQUIRE(d.anomalies.size() == 1);
  CHECK(d.anomalies[0].task == "load-00005");
  CHECK(bar(d, "load-00005").anomalies == std::vector<uint32_t>{0});
  CHECK(d.anomalies[0].value.ends_with("MiB"));  // a mem_bytes value reads as bytes
  // Deviations furthest first.
  REQUIRE(d.deviations.size() == 10);
  for (size_t i = 1; i < d.deviations.size(); ++i) CHECK(d.deviations[i - 1].score >= d.deviations[i].score);
  // Demand: cpus, memory, I/O; the capacity is what was provisioned; usage sampled by the run.
  REQUIRE(d.demand.size() == 3);
  CHECK(d.demand[0].title == "cpus");
  CHECK(d.demand[0].capacity == 4.0);
  CHECK(d.demand[0].capacity_label == "provisioned");
  CHECK(!d.demand[0].forecast_p95.empty());
  CHECK(!d.demand[0].measured_reserved.empty());
  CHECK(!d.demand[0].planned.empty());  // the cloud plan's instances over time
  CHECK(d.demand[0].planned.max() == 4);
  CHECK(d.usage_source.starts_with("measured by the run"));
  CHECK(d.span_s >= d.elapsed_s);
  // Plan and use.
  std::vector<std::string> titles;
  for (const auto& t : d.plan) titles.push_back(t.title);
  CHECK(titles == std::vector<std::string>{"Plan", "Provisioned", "Forecast (p50 · p95)", "What the run used"});
  CHECK(d.sections == std::vector<std::string>{"analysis", "prediction", "plan", "provision", "run"});
  auto card = std::find_if(d.headline.begin(), d.headline.end(), [](const Fact& f) { return f.label == "planned cost"; });
  REQUIRE(card != d.headline.end());
  CHECK(card->value == "$0.0131");
}

TEST_CASE("a run without start offsets or usage samples: placed by started_at, usage rebuilt", "[report][read]") {
  Synthetic s;
  s.offsets = false;
  s.usage = false;
  ReportData d = read(synthetic_document(s));
  ReportData with = read(synthetic_document({}));
  REQUIRE(d.bars.size() == with.bars.size());
  for (size_t i = 0; i < d.bars.size(); ++i)
    for (size_t k = 0; k < d.bars[i].attempts.size(); ++k)  // whole seconds only
      CHECK(std::abs(d.bars[i].attempts[k].start_s - with.bars[i].attempts[k].start_s) < 1);
  CHECK(d.starts_to_the_second);
  CHECK(!with.starts_to_the_second);
  CHECK(d.usage_source.starts_with("rebuilt"));
  CHECK(d.usage_source.find("to the second only") != std::string::npos);
  REQUIRE(d.demand.size() == 3);
  CHECK(d.demand[0].measured_reserved.max() >= 1);
  CHECK(d.demand[1].measured_used.max() > 0);
}

TEST_CASE("a forecast not run yet: the analysis' planned timeline, capacity from the plan", "[report][read]") {
  auto doc = io::Document::from_source({"doc.json", synthetic_document({})});
  doc.root().RemoveMember("run");
  doc.root().RemoveMember("provision");
  // The analysis as wf-analyze writes it, with per-task timing.
  io::Json per_task(rapidjson::kArrayType);
  for (const auto& t : doc.workflow().tasks) {
    io::Json e(rapidjson::kObjectType);
    io::put(e, "id", t.id, doc.alloc());
    io::put(e, "earliest_start_s", 2.0, doc.alloc());
    io::put(e, "duration_s", 3.0, doc.alloc());
    per_task.PushBack(e, doc.alloc());
  }
  io::put(*io::get(doc.root(), "analysis"), "per_task", std::move(per_task), doc.alloc());
  ReportData d = read_report(doc);
  CHECK(!d.has_run);
  CHECK(d.bars_source == "analysis");
  REQUIRE(d.bars.size() == 10);
  CHECK(d.bars[0].attempts[0].start_s == 2);
  CHECK(d.bars[0].attempts[0].end_s == 5);
  CHECK(d.deviations.empty());
  REQUIRE(!d.demand.empty());
  CHECK(d.demand[0].capacity_label == "planned lease");
  CHECK(d.demand[0].measured_reserved.empty());
  CHECK(d.headline.front().label == "forecast makespan");
}

TEST_CASE("a document with nothing to draw is refused", "[report][read]") {
  try {
    read(R"({"apiVersion": "wf/v1", "workflow": {"name": "w", "tasks": [{"id": "a", "run": "true"}]}})");
    FAIL("no error");
  } catch (const Error& e) {
    CHECK(e.exit() == util::Exit::data);
    CHECK(std::string(e.what()).find("nothing to report") != std::string::npos);
  }
}

TEST_CASE("odd values in optional sections are skipped, not fatal", "[report][read]") {
  std::string text = R"({"apiVersion": "wf/v1", "workflow": {"name": "w", "tasks": [{"id": "a", "run": "true"}]},
    "run": {"id": "x", "status": "failed", "tasks": [{"id": "a", "status": "failed", "measured": {"status": "failed", "runtime_s": "soon"}},
                                                   {"id": "ghost", "status": "succeeded"}],
            "anomalies": [{"task": "nobody", "measure": "cpus", "value": 3, "why": "w"}, 7],
            "usage": {"interval_s": 1, "points": []}},
    "prediction": {"timeline": "none"}, "plan": [], "provision": 3})";
  ReportData d = read(text);
  REQUIRE(d.bars.size() == 2);
  CHECK(d.bars[0].attempts.empty());  // no start: not drawn
  REQUIRE(d.anomalies.size() == 1);
  CHECK(d.anomalies[0].value == "3 cpus");
  CHECK(d.demand.empty());
  CHECK(!render_html(d).empty());
}

TEST_CASE("resources wf-reap released are shown as released", "[report][read]") {
  auto doc = io::Document::from_source({"doc.json", synthetic_document({})});
  // The reap section as wf-reap writes it: what it released, what was already gone.
  io::Json released(rapidjson::kObjectType), reap(rapidjson::kObjectType), list(rapidjson::kArrayType);
  io::put(released, "id", "res-1", doc.alloc());
  list.PushBack(released, doc.alloc());
  io::put(reap, "released", std::move(list), doc.alloc());
  io::put(reap, "already_gone", io::Json(rapidjson::kArrayType), doc.alloc());
  doc.set_section("reap", std::move(reap));
  ReportData d = read_report(doc);
  auto it = std::find_if(d.plan.begin(), d.plan.end(), [](const FactTable& t) { return t.title == "Provisioned"; });
  REQUIRE(it != d.plan.end());
  REQUIRE(it->rows.size() == 1);
  CHECK(it->rows[0][3] == "released (wf-reap)");
  CHECK(d.sections.back() == "reap");
}
