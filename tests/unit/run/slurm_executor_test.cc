// The Slurm executor against a scripted cluster (slurm_fake_cluster.h) and a fake clock: the DAG
// handed to Slurm as afterok dependencies in one go, failures, memory retries that resubmit the
// subtree against the new job ids, a stop signal, resume from the journal, no accounting.
#include <algorithm>
#include <memory>

#include <catch2/catch.hpp>

#include "history/store.h"
#include "run/slurm_executor.h"
#include "slurm_fake_cluster.h"
#include "test_support.h"
#include "util/log.h"
#include "util/strings.h"

using namespace wf;
using namespace wf::run;
using wf::run::testing::FakeCluster;
using wf::run::testing::FakeJob;
using wf::run::testing::FakeWaiter;
using wf::run::testing::TempDir;

namespace {

struct Spec {
  std::string id;
  std::vector<std::string> needs;
  double cpus = 1, mem_bytes = 0;
  int retries = 0;
};

struct Fixture {
  TempDir dir;
  model::Workflow wf;
  std::unique_ptr<model::Dag> dag;
  std::vector<SlurmTaskDemand> demands;
  util::FakeClock clock{1000};
  FakeCluster cluster;
  FakeWaiter waiter{clock};
  Events events;
  std::vector<std::string> event_lines;
  SlurmExecutorOptions options;
  std::vector<std::string> diagnostics;
  JobIds job_ids;
  std::vector<Observer*> observers;

  explicit Fixture(const std::vector<Spec>& specs) {
    util::set_diag_sink([](std::string_view line, void* self) { static_cast<Fixture*>(self)->diagnostics.emplace_back(line); }, this);
    wf.name = "test";
    for (const auto& s : specs) {
      model::Task t;
      t.id = s.id;
      t.category = s.id;
      t.needs = s.needs;
      t.run.script = "echo " + s.id;
      t.retries = s.retries;
      wf.tasks.push_back(t);
      SlurmTaskDemand d;
      d.cpus = s.cpus;
      d.mem_bytes = s.mem_bytes;
      d.time_limit_s = 90;
      demands.push_back(d);
    }
    dag = std::make_unique<model::Dag>(wf);
    options.run_id = "r";
    options.workflow_name = "test";
    options.log_dir = dir.path().string();
    options.script_dir = dir.path().string();
    options.workdir = dir.path().string();
    options.partition = "main";
    options.retry_backoff_s = 1;
    events.set_listener([this](const std::string& line) { event_lines.push_back(line); });
  }
  ~Fixture() { util::set_diag_sink(nullptr, nullptr); }
  Fixture(const Fixture&) = delete;
  Fixture& operator=(const Fixture&) = delete;

  RunResult run(history::Store* history = nullptr, SlurmJournal* journal = nullptr) {
    SlurmExecutor executor(wf, *dag, demands, options, cluster, waiter, history, events, journal, clock);
    for (Observer* o : observers) executor.observe(*o);
    RunResult r = executor.run();
    job_ids = executor.job_ids();
    return r;
  }

  const FakeJob& job(const std::string& task, size_t i = 0) {
    auto jobs = cluster.jobs_of(task);
    REQUIRE(jobs.size() > i);
    return *jobs[i];
  }
  size_t submissions_before_first_poll() const {
    size_t n = 0;
    for (const auto& c : cluster.calls) {
      if (c[0] == "squeue") break;
      n += c[0] == "sbatch";
    }
    return n;
  }
};

// Writes down every call, as "started a 1", "finished a 1 oom retry", "ended succeeded", and
// every sample's running attempts with their elapsed time.
struct Recorder final : Observer {
  const model::Workflow& wf;
  std::vector<std::string> calls;
  std::vector<LiveSample> samples;
  std::vector<RunState> states;
  int capacity_asked = 0;
  explicit Recorder(const model::Workflow& w) : wf(w) {}

  void started(uint32_t t, int attempt, const schedule::Demand&, double) override {
    calls.push_back(fmt::format("started {} {}", wf.tasks[t].id, attempt));
  }
  void sampled(const RunState& state, std::span<const LiveSample> live) override {
    states.push_back(state);
    samples.insert(samples.end(), live.begin(), live.end());
  }
  void finished(uint32_t t, int attempt, const AttemptResult& r, bool will_retry, double) override {
    calls.push_back(fmt::format("finished {} {} {}{}", wf.tasks[t].id, attempt, r.status, will_retry ? " retry" : ""));
  }
  std::optional<schedule::Capacity> capacity(const RunState&) override {
    ++capacity_asked;
    return std::nullopt;
  }
  void ended(const std::string& status, double) override { calls.push_back("ended " + status); }
};

}  // namespace

TEST_CASE("slurm executor: the whole DAG is submitted at once, in topological order, with afterok dependencies") {
  Fixture f({{"d", {"b", "c"}}, {"b", {"a"}, 2, 512.0 * 1024 * 1024}, {"c", {"a"}}, {"a", {}}});
  auto store = history::Store::open(":memory:");
  RunResult r = f.run(&store);
  CHECK(r.status == "succeeded");
  CHECK(f.submissions_before_first_poll() == 4);
  const FakeJob &a = f.job("a"), &b = f.job("b"), &c = f.job("c"), &d = f.job("d");
  CHECK(a.after.empty());
  CHECK(b.after == std::vector<std::string>{a.id});
  CHECK(c.after == std::vector<std::string>{a.id});
  CHECK(d.after == std::vector<std::string>{b.id, c.id});
  CHECK(std::stoll(a.id) < std::stoll(b.id));  // parents are submitted first
  CHECK(b.cpus == 2);
  CHECK(b.mem_mib == 512);
  CHECK(a.mem_mib == 0);  // nothing asked: the site's default
  CHECK(b.time_min == 2);  // 90 s rounds up to whole minutes
  CHECK(b.partition == "main");
  CHECK(b.name == "wf.r.b");
  for (size_t i = 0; i < 4; ++i) CHECK(r.tasks[i].status == "succeeded");
  // Every attempt recorded from accounting, as the slurm executor.
  auto rows = store.export_all();
  REQUIRE(rows.size() == 4);
  for (const auto& e : rows) {
    CHECK(e.executor == "slurm");
    CHECK(e.peak_rss_bytes == 10240 * 1024);
    CHECK(e.cpu_time_s == Approx(1.5));
    CHECK(e.runtime_s == Approx(2));
    CHECK(!e.native_id.empty());
    CHECK(e.host == "n1");
  }
  CHECK(f.job_ids[0] == std::vector<std::string>{d.id});
}

TEST_CASE("slurm executor: the batch script cds to the workdir and holds the command as written") {
  Fixture f({Spec{"a", {}}});
  f.wf.tasks[0].run.script = "printf '%s\\n' \"$WF_TASK_ID\" > out.txt";
  f.run();
  std::string script = wf::run::testing::read_text(f.job("a").script);
  CHECK(script.find("cd " + util::shell_quote(f.dir.path().string()) + " || exit 1\n") != std::string::npos);
  CHECK(script.find("printf '%s\\n' \"$WF_TASK_ID\" > out.txt\n") != std::string::npos);
  CHECK(script.find("WF_TASK_ID=a; export WF_TASK_ID") != std::string::npos);
}

TEST_CASE("slurm executor: a failed task fails the run and its dependents never run") {
  Fixture f({{"a", {}}, {"b", {"a"}}, {"c", {"b"}}, {"x", {}}});
  f.cluster.tasks["a"].ends = {"FAILED"};
  f.cluster.tasks["x"].steps = 5;
  RunResult r = f.run();
  CHECK(r.status == "failed");
  CHECK(r.tasks[0].status == "failed");
  CHECK(r.tasks[1].status == "skipped");
  CHECK(r.tasks[2].status == "skipped");
  CHECK(r.tasks[3].status == "succeeded");  // already running: it finishes
  CHECK(r.tasks[0].attempts.at(0).exit_code == 1);
  CHECK(f.job("b").state == "CANCELLED");
  CHECK(f.job("c").state == "CANCELLED");
  CHECK(f.cluster.count("scancel") >= 1);
  CHECK(std::any_of(f.diagnostics.begin(), f.diagnostics.end(), [](const auto& d) { return d.find("task 'a' failed") != std::string::npos; }));
}

TEST_CASE("slurm executor: a memory kill is retried with 1.5x the measured peak, and the subtree follows the new job") {
  Fixture f({{"a", {}, 1, 100.0 * 1024 * 1024, 1}, {"b", {"a"}}, {"c", {"b"}}});
  f.cluster.tasks["a"].ends = {"OOM", "COMPLETED"};
  auto store = history::Store::open(":memory:");
  RunResult r = f.run(&store);
  CHECK(r.status == "succeeded");
  REQUIRE(f.cluster.jobs_of("a").size() == 2);
  const FakeJob &a1 = f.job("a", 0), &a2 = f.job("a", 1);
  CHECK(a1.mem_mib == 100);
  CHECK(a2.mem_mib == 180);  // MaxRSS 120 MiB x 1.5
  CHECK(a2.begin_in_s == 1);  // the retry backoff
  REQUIRE(f.cluster.jobs_of("b").size() == 2);
  CHECK(f.job("b", 0).state == "CANCELLED");
  CHECK(f.job("b", 1).after == std::vector<std::string>{a2.id});
  CHECK(f.job("c", 1).after == std::vector<std::string>{f.job("b", 1).id});
  REQUIRE(r.tasks[0].attempts.size() == 2);
  CHECK(r.tasks[0].attempts[0].status == "oom");
  CHECK(r.tasks[1].attempts.size() == 1);  // the cancelled job never ran: no attempt
  auto rows = store.export_all();
  REQUIRE(rows.size() == 4);
  CHECK(std::count_if(rows.begin(), rows.end(), [](const auto& e) { return e.status == history::Status::oom; }) == 1);
}

TEST_CASE("slurm executor: a stop signal cancels every job of the run") {
  Fixture f({{"a", {}}, {"b", {"a"}}, {"c", {}}});
  f.cluster.tasks["a"].steps = 10;
  f.cluster.tasks["c"].steps = 10;
  f.waiter.signal_at = 3;
  RunResult r = f.run();
  CHECK(r.status == "interrupted");
  CHECK(r.stop_signal == 2);
  for (const auto& j : f.cluster.jobs) CHECK(j.state == "CANCELLED");
  CHECK(r.tasks[0].status == "interrupted");
  CHECK(r.tasks[1].status == "skipped");  // below an interrupted task, as with the local executor
  CHECK(r.tasks[2].status == "interrupted");
}

TEST_CASE("slurm executor: resume follows the earlier invocation's jobs and skips what succeeded") {
  Fixture f({{"a", {}}, {"b", {"a"}}, {"c", {"b"}}});
  f.cluster.add_job("50", "b", "RUNNING");
  f.options.resume.resize(3);
  f.options.resume[0].done = true;
  f.options.resume[0].attempts = 1;
  f.options.resume[1].job_id = "50";
  f.options.resume[1].attempts = 0;
  TempDir jdir;
  SlurmJournal journal(jdir.file("journal.jsonl"));
  RunResult r = f.run(nullptr, &journal);
  CHECK(r.status == "succeeded");
  CHECK(f.cluster.jobs_of("a").empty());
  CHECK(f.cluster.jobs_of("b").size() == 1);  // followed, not resubmitted
  REQUIRE(f.cluster.jobs_of("c").size() == 1);
  CHECK(r.tasks[0].status == "resumed");
  CHECK(r.tasks[1].status == "succeeded");
  auto entries = SlurmJournal::read(jdir.file("journal.jsonl"));
  REQUIRE(!entries.empty());
  CHECK(entries[0].event == "finished");
  CHECK(entries[0].task == "b");
  CHECK(entries[0].job_id == "50");
}

TEST_CASE("slurm executor: without accounting storage, slurmctld's job records give the outcome") {
  Fixture f({{"a", {}}, {"b", {"a"}}});
  f.cluster.accounting = false;
  f.cluster.tasks["b"].ends = {"FAILED"};
  auto store = history::Store::open(":memory:");
  RunResult r = f.run(&store);
  CHECK(r.status == "failed");
  CHECK(r.tasks[0].status == "succeeded");
  CHECK(r.tasks[1].status == "failed");
  auto rows = store.export_all();
  REQUIRE(rows.size() == 2);
  CHECK(!rows[0].peak_rss_bytes);
  CHECK(f.cluster.count("sacct") == 1);  // asked once, then never again
}

TEST_CASE("slurm executor: observers see every attempt start and finish (retries too), samples of the running jobs, the end") {
  Fixture f({{"a", {}, 1, 100.0 * 1024 * 1024, 1}, {"b", {"a"}, 2, 0}});
  f.cluster.tasks["a"].ends = {"OOM", "COMPLETED"};
  f.cluster.tasks["b"].steps = 4;
  f.options.capacity = {8, 8.0 * 1024 * 1024 * 1024};
  Recorder rec(f.wf);
  f.observers.push_back(&rec);
  RunResult r = f.run();
  CHECK(r.status == "succeeded");
  // One poll shows a's second job ended and b already running (Slurm started it on a's success):
  // b's start is seen on squeue before a's end is read from sacct.
  CHECK(rec.calls == std::vector<std::string>{"started a 1", "finished a 1 oom retry", "started a 2", "started b 1",
                                              "finished a 2 succeeded", "finished b 1 succeeded", "ended succeeded"});
  CHECK(rec.capacity_asked == 0);  // the cluster schedules: no capacity of wf's own
  // b runs 4 polls: it is sampled while running, its elapsed time growing from 0, usage unknown (0).
  std::vector<double> b_elapsed;
  for (const auto& l : rec.samples) {
    CHECK(l.usage.rss_bytes == 0);
    CHECK(l.usage.cpu_s == 0);
    CHECK(l.peak_rss_bytes == 0);
    if (l.task == 1) {
      b_elapsed.push_back(l.elapsed_s);
      CHECK(l.reserved.cpus == 2);
    }
  }
  REQUIRE(b_elapsed.size() >= 2);
  CHECK(b_elapsed.front() == Approx(0).margin(1e-9));
  CHECK(std::is_sorted(b_elapsed.begin(), b_elapsed.end()));
  CHECK(b_elapsed.back() > 0);
  REQUIRE(!rec.states.empty());
  CHECK(rec.states.front().capacity.cpus == 8);
  CHECK(rec.states.front().total == 2);
  CHECK(std::any_of(rec.states.begin(), rec.states.end(), [](const RunState& s) { return s.running == 1 && s.held.cpus == 2; }));
}

TEST_CASE("slurm executor: observers are ended once when a job fails for good, and on a stop") {
  SECTION("failure") {
    Fixture f({{"a", {}}, {"b", {"a"}}});
    f.cluster.tasks["a"].ends = {"FAILED"};
    Recorder rec(f.wf);
    f.observers.push_back(&rec);
    CHECK(f.run().status == "failed");
    CHECK(rec.calls == std::vector<std::string>{"started a 1", "finished a 1 failed", "ended failed"});
  }
  SECTION("stop signal") {
    Fixture f({Spec{"x", {}}});
    f.cluster.tasks["x"].steps = 5;
    f.waiter.signal_at = 3;
    Recorder rec(f.wf);
    f.observers.push_back(&rec);
    CHECK(f.run().status == "interrupted");
    REQUIRE(rec.calls.size() == 3);
    CHECK(rec.calls[0] == "started x 1");
    CHECK(rec.calls[1] == "finished x 1 interrupted");
    CHECK(rec.calls[2] == "ended interrupted");
  }
}
