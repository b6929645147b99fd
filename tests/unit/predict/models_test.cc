// The predictor: per-task estimates from history, the fallbacks and their provenance, OOM lower
// bounds, determinism, the store-backed and in-memory predictors agreeing, and WfFormat import.
#include <catch2/catch.hpp>

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <vector>

#include <fmt/format.h>

#include "history/store.h"
#include "model_synthetic.h"
#include "predict/model_recorded.h"
#include "predict/models.h"

using namespace wf;
using namespace wf::predict;
using wf::predict::testing::power_law;
using wf::predict::testing::row;

namespace {

model::Task task(const std::string& category, std::optional<uint64_t> input_bytes = std::nullopt) {
  model::Task t;
  t.id = category + "_new";
  t.category = category;
  if (input_bytes) t.inputs.push_back({"in", input_bytes});
  return t;
}

}  // namespace

TEST_CASE("a task of a learned category gets the model's quantiles and provenance") {
  auto rows = power_law("align", 5, 80, 0.1);
  Predictor p = Predictor::from_executions(rows);
  model::Workflow wf;
  Estimate e = p.estimate(wf, task("align", 1'000'000'000));
  double truth = 2e-6 * std::pow(1e9, 0.8);
  CHECK(e.runtime_s.p50 == Approx(truth).epsilon(0.1));
  CHECK(e.runtime_s.p50 < e.runtime_s.p90);
  CHECK(e.runtime_s.p90 <= e.runtime_s.p95);
  CHECK(e.runtime_s.p95 <= e.runtime_s.p99);
  CHECK(e.runtime_from.source == Source::model);
  CHECK(e.runtime_from.model == "loglinear(input_bytes)");
  CHECK(e.runtime_from.samples == 80);
  REQUIRE(e.runtime_from.error);
  CHECK(*e.runtime_from.error < 0.15);
}

TEST_CASE("a task lacking the model's feature falls back to the category's median, and says why") {
  Predictor p = Predictor::from_executions(power_law("align", 5, 80, 0.1));
  Estimate e = p.estimate(model::Workflow{}, task("align"));
  CHECK(e.runtime_from.source == Source::stats);
  CHECK(e.runtime_from.model == "median (the task has no input_bytes)");
}

TEST_CASE("no history: hints, then defaults, each said so; the task's recorded values are never used") {
  Predictor p = Predictor::from_executions({});
  model::Task t = task("fresh");
  t.recorded.runtime_s = 12345;  // ground truth of a trace: must not leak into the prediction
  t.recorded.mem_bytes = 999;
  Estimate none = p.estimate(model::Workflow{}, t);
  CHECK(none.runtime_from.source == Source::fallback);
  CHECK(none.runtime_from.model == "default");
  CHECK(none.runtime_s.p50 == kDefaultRuntimeS);
  CHECK(none.mem_bytes.p95 == kDefaultMemBytes);
  CHECK(none.cpus.p50 == kDefaultCpus);
  CHECK(none.read_bytes.p99 == 0);
  CHECK(none.io_from.source == Source::fallback);

  t.hints.duration_s = 100;
  t.hints.cpus = 4;
  t.hints.mem_bytes = 1 << 30;
  Estimate hinted = p.estimate(model::Workflow{}, t);
  CHECK(hinted.runtime_from.source == Source::hints);
  CHECK(hinted.runtime_s.p50 == 100);
  CHECK(hinted.runtime_s.p95 == 200);
  CHECK(hinted.cpus.p95 == 4);
  CHECK(hinted.mem_bytes.p50 == double(1 << 30));
  CHECK(hinted.mem_from.source == Source::hints);
}

TEST_CASE("history wins over hints, measure by measure") {
  std::vector<history::Execution> rows;
  for (int i = 0; i < 10; ++i) rows.push_back(row("sort", i, 50 + i));  // runtime only
  Predictor p = Predictor::from_executions(rows);
  model::Task t = task("sort");
  t.hints.duration_s = 1000;
  t.hints.mem_bytes = 1 << 20;
  Estimate e = p.estimate(model::Workflow{}, t);
  CHECK(e.runtime_from.source == Source::stats);
  CHECK(e.runtime_s.p50 == Approx(54.5).epsilon(0.01));
  CHECK(e.mem_from.source == Source::hints);
  CHECK(e.cpus_from.source == Source::fallback);
}

TEST_CASE("only successful executions teach; an OOM-killed attempt bounds memory p95 from below") {
  std::vector<history::Execution> rows;
  for (int i = 0; i < 12; ++i) {
    auto e = row("asm", i, 100);
    e.peak_rss_bytes = 1'000'000'000 + i * 1'000'000;
    rows.push_back(e);
  }
  auto failed = row("asm", 100, 1e6);  // a failure's runtime is not a runtime of the task
  failed.status = history::Status::failed;
  rows.push_back(failed);
  auto killed = row("asm", 101, 5);
  killed.status = history::Status::oom;
  killed.peak_rss_bytes = 3'000'000'000;
  killed.mem_reserved_bytes = 4'000'000'000;  // it was killed at its limit: it needed more
  rows.push_back(killed);

  Predictor p = Predictor::from_executions(rows);
  const CategoryFit& fit = p.fit("asm");
  CHECK(fit.executions == 12);
  CHECK(fit.oom == 1);
  Estimate e = p.estimate(model::Workflow{}, task("asm"));
  CHECK(e.runtime_s.p99 < 1000);
  CHECK(e.mem_bytes.p50 < 1.1e9);
  CHECK(e.mem_bytes.p95 == 4e9);
  CHECK(e.mem_bytes.p99 >= 4e9);
}

TEST_CASE("the store-backed predictor reads what the in-memory one is given, and agrees with it") {
  auto rows = power_law("bwa", 9, 40, 0.2);
  for (auto& e : rows) e.end_s = 1000.0 + static_cast<double>(&e - rows.data());  // the store's order
  auto store = history::Store::open(":memory:");
  store.record_batch(rows);
  Predictor from_store(store);
  Predictor in_memory = Predictor::from_executions(store.export_all());
  model::Workflow wf;
  for (uint64_t in : {uint64_t{20'000'000}, uint64_t{3'000'000'000}}) {
    Estimate a = from_store.estimate(wf, task("bwa", in));
    Estimate b = in_memory.estimate(wf, task("bwa", in));
    CHECK(a.runtime_s.p50 == b.runtime_s.p50);
    CHECK(a.runtime_s.p95 == b.runtime_s.p95);
    CHECK(a.runtime_from.model == b.runtime_from.model);
  }
}

TEST_CASE("estimates are deterministic and estimate_all follows the task order") {
  auto rows = power_law("a", 1, 50, 0.3);
  auto more = power_law("b", 2, 30, 0.3);
  rows.insert(rows.end(), more.begin(), more.end());
  model::Workflow wf;
  wf.tasks = {task("b", 5'000'000), task("a", 7'000'000), task("unknown")};
  Predictor p1 = Predictor::from_executions(rows);
  Predictor p2 = Predictor::from_executions(rows);
  auto e1 = estimate_all(p1, wf);
  auto e2 = estimate_all(p2, wf);
  REQUIRE(e1.size() == 3);
  for (size_t i = 0; i < 3; ++i) {
    CHECK(e1[i].runtime_s.p50 == e2[i].runtime_s.p50);
    CHECK(e1[i].runtime_s.p99 == e2[i].runtime_s.p99);
  }
  CHECK(e1[0].runtime_s.p50 == p1.estimate(wf, wf.tasks[0]).runtime_s.p50);
  CHECK(e1[2].runtime_from.source == Source::fallback);
}

TEST_CASE("a trace task's recorded measurement becomes the history row it stands for") {
  model::Workflow wf;
  model::Task t = task("blastall", 4096);
  t.recorded.runtime_s = 200;
  t.recorded.cpu_percent = 150;
  t.recorded.mem_bytes = 5'000'000;
  t.recorded.read_bytes = 7;
  t.recorded.cores = 2;
  t.recorded.machine = "node1";
  wf.tasks.push_back(t);
  model::Task unmeasured = task("cat");
  unmeasured.recorded.runtime_s = 0;
  wf.tasks.push_back(unmeasured);

  size_t skipped = 0;
  auto rows = executions_from_recorded(wf, {"run1", "blast", "/traces/b.json"}, &skipped);
  CHECK(skipped == 1);
  REQUIRE(rows.size() == 1);
  const auto& e = rows[0];
  CHECK(e.run_id == "run1");
  CHECK(e.workflow == "blast");
  CHECK(e.task_id == "blastall_new");
  CHECK(e.category == "blastall");
  CHECK(e.runtime_s == 200);
  CHECK(e.cpu_time_s == Approx(300));
  CHECK(e.peak_rss_bytes == 5'000'000);
  CHECK(e.read_bytes == 7);
  CHECK_FALSE(e.write_bytes);
  CHECK(e.cpus_reserved == 2);
  CHECK(e.host == "node1");
  CHECK(e.executor == "import:wfformat");
  CHECK(e.source == "/traces/b.json");
  REQUIRE(e.features.size() == 1);
  CHECK(e.features[0] == std::pair<std::string, double>{"input_bytes", 4096});
  CHECK_FALSE(history::find_problem(e));
}

TEST_CASE("a WfFormat instance imports whole, once, keyed by its canonical path") {
  namespace fs = std::filesystem;
  fs::path dir = fs::temp_directory_path() / fmt::format("wf-models-test-{}", ::getpid());
  fs::create_directories(dir);
  std::ofstream(dir / "tiny-001.json") << R"({"name": "tiny", "schemaVersion": "1.5", "workflow": {
    "specification": {"tasks": [
        {"id": "a_1", "name": "a_1", "parents": [], "children": ["b_1"], "inputFiles": ["f"], "outputFiles": []},
        {"id": "b_1", "name": "b_1", "parents": ["a_1"], "children": [], "inputFiles": [], "outputFiles": []}],
      "files": [{"id": "f", "sizeInBytes": 1000}]},
    "execution": {"makespanInSeconds": 10, "executedAt": "2024-01-01T00:00:00Z", "tasks": [
        {"id": "a_1", "runtimeInSeconds": 4, "avgCPU": 50, "memoryInBytes": 2000, "command": {"program": "align"}},
        {"id": "b_1", "runtimeInSeconds": 6, "command": {"program": "merge"}}]}}})";
  std::ofstream(dir / "native.yaml") << "tasks:\n  - id: a\n    run: \"true\"\n";
  auto store = history::Store::open(":memory:");
  std::string path = (dir / "tiny-001.json").string();
  CHECK(import_wfformat(store, path) == history::ImportResult{2, 0, 0});
  CHECK(import_wfformat(store, path) == history::ImportResult{0, 2, 0});
  auto rows = store.export_all();
  REQUIRE(rows.size() == 2);
  CHECK(rows[0].run_id == "tiny-001");
  CHECK(rows[0].workflow == "tiny");
  CHECK(rows[0].category == "align");
  CHECK(rows[0].cpu_time_s == Approx(2));
  CHECK(rows[0].peak_rss_bytes == 2000);
  CHECK(rows[0].executor == "import:wfformat");
  CHECK(rows[0].source == fs::weakly_canonical(path).string());
  CHECK(rows[1].category == "merge");
  try {
    import_wfformat(store, (dir / "native.yaml").string());
    FAIL("a native workflow imported as WfFormat");
  } catch (const wf::Error& e) {
    CHECK(e.exit() == util::Exit::data);
    CHECK_THAT(e.what(), Catch::Contains("not a WfFormat instance"));
  }
  fs::remove_all(dir);
}
