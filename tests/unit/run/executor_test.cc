// The executor's loop against a fake Runner and a FakeClock: start order, capacity accounting,
// retries, timeouts, memory retries, interrupts and history, with no real process and no sleep.
// The last cases drive the LocalRunner itself (its lazy log files, its wait without children).
#include <algorithm>
#include <chrono>
#include <csignal>
#include <functional>
#include <map>
#include <thread>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <rapidjson/document.h>

#include "run/executor.h"
#include "test_support.h"
#include "util/error.h"
#include "util/log.h"

using namespace wf;
using namespace wf::run;
using wf::run::testing::read_text;
using wf::run::testing::TempDir;

namespace {

// A task's scripted behaviour in the fake: how long each attempt runs and how it ends.
struct Script {
  double duration_s = 1;
  std::vector<int> exit_codes{0};  // per attempt; the last one repeats
  uint64_t rss_per_s = 0;          // resident memory grows this fast (samples)
  bool refuse_start = false;       // start() throws, as spawn does on EAGAIN
};

// Processes that exist only as end times on the fake clock. wait() jumps the clock to the next
// end (or by the timeout), so a run of hours takes microseconds and is exactly repeatable.
class FakeRunner final : public Runner {
 public:
  struct Started {
    std::string task;
    int attempt;
    double at;
    double cpus;
    uint64_t mem_bytes;
  };

  explicit FakeRunner(util::FakeClock& clock) : clock_(clock) {}

  std::map<std::string, Script> scripts;
  std::vector<Started> started;
  std::vector<std::pair<pid_t, int>> signals;
  std::vector<pid_t> ended_groups;
  std::optional<double> stop_at;  // a SIGINT arrives then
  std::function<void(size_t)> on_exit;  // called with the number of exits so far, before returning one
  size_t waits = 0, exits = 0;
  double max_cpus = 0, max_mem = 0;  // the most the running processes held at once

  pid_t start(SpawnSpec& spec) override {
    std::string task = env(spec, "WF_TASK_ID");
    int attempt = std::stoi(env(spec, "WF_ATTEMPT"));
    const Script& s = scripts[task];
    if (s.refuse_start) wf::fail(util::Exit::temp, "cannot start '{}': Resource temporarily unavailable", task);
    Proc p{next_pid_++, task, clock_.monotonic(), clock_.monotonic() + s.duration_s,
           s.exit_codes[std::min<size_t>(static_cast<size_t>(attempt - 1), s.exit_codes.size() - 1)] << 8,
           std::stod(env(spec, "WF_CPUS")), std::stoull(env(spec, "WF_MEM")), s.rss_per_s};
    procs_.push_back(p);
    started.push_back({task, attempt, clock_.monotonic(), p.cpus, p.mem_bytes});
    double cpus = 0, mem = 0;
    for (const auto& q : procs_) cpus += q.cpus, mem += static_cast<double>(q.mem_bytes);
    max_cpus = std::max(max_cpus, cpus);
    max_mem = std::max(max_mem, mem);
    return p.pid;
  }

  std::optional<Exit> wait(double timeout_s) override {
    ++waits;
    double limit = clock_.monotonic() + timeout_s;
    if (stop_at && *stop_at <= limit) {
      advance_to(*stop_at);
      stop_at.reset();
      stop_ = SIGINT;
      return std::nullopt;
    }
    auto next = std::min_element(procs_.begin(), procs_.end(), [](const Proc& a, const Proc& b) {
      return a.end != b.end ? a.end < b.end : a.pid < b.pid;
    });
    if (next == procs_.end() || next->end > limit) {
      advance_to(limit);
      return std::nullopt;
    }
    advance_to(next->end);
    if (on_exit) on_exit(++exits);
    Exit ex;
    ex.pid = next->pid;
    ex.status = next->status;
    procs_.erase(next);
    return ex;
  }

  int take_stop_signal() override { return std::exchange(stop_, 0); }

  void signal(pid_t pgid, int sig) override {
    signals.emplace_back(pgid, sig);
    for (auto& p : procs_)
      if (p.pid == pgid && (sig == SIGTERM || sig == SIGKILL)) p.end = clock_.monotonic(), p.status = sig;
  }

  void end_group(pid_t pgid) override { ended_groups.push_back(pgid); }

  void sample(std::span<const pid_t> roots, std::vector<TaskUsage>& out) override {
    out.assign(roots.size(), {});
    for (size_t i = 0; i < roots.size(); ++i)
      for (const auto& p : procs_)
        if (p.pid == roots[i]) {
          out[i].root = p.pid;
          out[i].processes = 1;
          out[i].rss_bytes = static_cast<uint64_t>(static_cast<double>(p.rss_per_s) * (clock_.monotonic() - p.start));
        }
  }

  // The host's runnable threads as a function of the fake clock; none: the runner cannot tell.
  std::function<double(double)> runnable;
  std::optional<HostLoad> host_load() override {
    if (!runnable) return std::nullopt;
    double r = runnable(clock_.monotonic());
    if (r < 0) return std::nullopt;  // this read failed
    return HostLoad{r, 4};
  }
  // The host's CPU pressure (seconds of some thread waiting, a running sum) as a function of the
  // fake clock; none: the kernel cannot tell.
  std::function<double(double)> pressure;
  std::optional<double> cpu_pressure_s() override {
    if (!pressure) return std::nullopt;
    return pressure(clock_.monotonic());
  }

  LogFiles logs(pid_t) override { return {}; }

 private:
  struct Proc {
    pid_t pid;
    std::string task;
    double start, end;
    int status;
    double cpus;
    uint64_t mem_bytes;
    uint64_t rss_per_s;
  };

  static std::string env(const SpawnSpec& spec, std::string_view key) {
    for (const auto& kv : spec.env)
      if (kv.size() > key.size() && kv.compare(0, key.size(), key) == 0 && kv[key.size()] == '=') return kv.substr(key.size() + 1);
    FAIL("no " << key << " in the task's environment");
    return {};
  }

  void advance_to(double t) {
    if (t > clock_.monotonic()) clock_.advance(t - clock_.monotonic());
  }

  util::FakeClock& clock_;
  std::vector<Proc> procs_;
  pid_t next_pid_ = 1000;
  int stop_ = 0;
};

// The rows in the history at `path`, looked at from another connection (as another process
// would) until there are `want` or 20 s of real time have passed: the writer's batch interval is
// tens of milliseconds, but a loaded machine or a sanitizer build may take far longer to get there.
size_t rows_seen(const std::string& path, size_t want) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  size_t seen = 0;
  do {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    seen = history::Store::open(path).count();
  } while (seen < want && std::chrono::steady_clock::now() < deadline);
  return seen;
}

struct TaskSpec {
  TaskSpec(std::string id_, std::vector<std::string> needs_ = {}, double cpus_ = 1, double mem_bytes_ = 0,
           double expected_s_ = 1, int retries_ = 0, int priority_ = 0, std::optional<double> timeout_s_ = {})
      : id(std::move(id_)), needs(std::move(needs_)), cpus(cpus_), mem_bytes(mem_bytes_), expected_s(expected_s_),
        retries(retries_), priority(priority_), timeout_s(timeout_s_) {}
  std::string id;
  std::vector<std::string> needs;
  double cpus, mem_bytes, expected_s;
  int retries, priority;
  std::optional<double> timeout_s;
};

// A workflow, its DAG and the executor's inputs, kept together (the DAG refers to the workflow).
struct Fixture {
  model::Workflow wf;
  std::unique_ptr<model::Dag> dag;
  std::vector<schedule::TaskInfo> info;
  util::FakeClock clock{1000};
  FakeRunner runner{clock};
  Events events;
  std::vector<std::string> event_lines;
  ExecutorOptions options;

  std::vector<std::string> diagnostics;

  explicit Fixture(const std::vector<TaskSpec>& tasks, schedule::Capacity capacity = {2, 1e12}) {
    util::set_diag_sink([](std::string_view line, void* self) { static_cast<Fixture*>(self)->diagnostics.emplace_back(line); }, this);
    wf.name = "test";
    for (const auto& t : tasks) {
      model::Task task;
      task.id = t.id;
      task.category = t.id;
      task.needs = t.needs;
      task.run.script = "true";
      task.retries = t.retries;
      task.priority = t.priority;
      task.timeout_s = t.timeout_s;
      wf.tasks.push_back(task);
      info.push_back({{t.cpus, t.mem_bytes}, t.expected_s, t.priority});
    }
    dag = std::make_unique<model::Dag>(wf);
    options.run_id = "run-1";
    options.workflow_name = "test";
    options.log_dir = "/nonexistent/logs";
    options.capacity = capacity;
    options.retry_backoff_s = 1;
    events.set_listener([this](const std::string& line) { event_lines.push_back(line); });
  }
  ~Fixture() { util::set_diag_sink(nullptr, nullptr); }
  Fixture(const Fixture&) = delete;
  Fixture& operator=(const Fixture&) = delete;

  RunResult run(history::Store* history = nullptr, Observer* observer = nullptr) {
    Executor executor(wf, *dag, info, options, runner, history, events, nullptr, clock);
    if (observer) executor.observe(*observer);
    return executor.run();
  }

  std::vector<std::string> start_order() const {
    std::vector<std::string> out;
    for (const auto& s : runner.started) out.push_back(s.task);
    return out;
  }

  std::string status(const RunResult& r, size_t i) const { return r.tasks[i].status; }
};

}  // namespace

TEST_CASE("executor: start order follows the critical path, then priority, then input order, and is repeatable") {
  // a -> b -> c is the long chain; d and e are short and independent; e has the higher priority.
  std::vector<TaskSpec> tasks{{"a", {}, 1, 0, 5}, {"b", {"a"}, 1, 0, 5}, {"c", {"b"}, 1, 0, 5}, {"d", {}, 1, 0, 1},
                              {"e", {}, 1, 0, 1, 0, 9}};
  Fixture f(tasks, {1, 1e12});
  for (const char* id : {"a", "b", "c"}) f.runner.scripts[id].duration_s = 5;
  RunResult r = f.run();
  CHECK(r.status == "succeeded");
  CHECK(f.start_order() == std::vector<std::string>{"a", "b", "c", "e", "d"});
  CHECK(f.runner.started.back().at == Approx(1000 + 16));

  Fixture again(tasks, {1, 1e12});
  for (const char* id : {"a", "b", "c"}) again.runner.scripts[id].duration_s = 5;
  again.run();
  CHECK(again.start_order() == f.start_order());
}

TEST_CASE("executor: never more reserved than the capacity, and the events say what is held") {
  std::vector<TaskSpec> tasks;
  for (int i = 0; i < 12; ++i) tasks.push_back({fmt::format("t{:02}", i), {}, i % 3 == 0 ? 0.5 : 1.0, i % 2 ? 700.0 : 300.0, 1});
  Fixture f(tasks, {2, 1000});
  for (int i = 0; i < 12; ++i) f.runner.scripts[fmt::format("t{:02}", i)].duration_s = 1 + i % 4;
  RunResult r = f.run();
  CHECK(r.status == "succeeded");
  CHECK(f.runner.started.size() == 12);
  CHECK(f.runner.max_cpus <= 2);
  CHECK(f.runner.max_mem <= 1000);
  CHECK(r.peak_reserved_cpus == f.runner.max_cpus);
  CHECK(r.peak_reserved_mem_bytes == f.runner.max_mem);
  // Replaying the events gives the same holdings as the task_started events report.
  double cpus = 0, mem = 0;
  std::map<std::string, std::pair<double, double>> held;
  size_t concurrent = 0, peak_concurrent = 0;
  for (const auto& line : f.event_lines) {
    rapidjson::Document e;
    e.Parse(line.c_str(), line.size());
    std::string event = e["event"].GetString();
    if (event == "task_started") {
      held[e["task"].GetString()] = {e["cpus"].GetDouble(), e["mem_bytes"].GetDouble()};
      cpus += e["cpus"].GetDouble();
      mem += e["mem_bytes"].GetDouble();
      peak_concurrent = std::max(peak_concurrent, ++concurrent);
      CHECK(e["reserved_cpus"].GetDouble() == Approx(cpus));
      CHECK(e["reserved_mem_bytes"].GetDouble() == Approx(mem));
      CHECK(cpus <= 2 + 1e-9);
      CHECK(mem <= 1000);
    } else if (event == "task_finished") {
      cpus -= held[e["task"].GetString()].first;
      mem -= held[e["task"].GetString()].second;
      --concurrent;
    }
  }
  CHECK(peak_concurrent == 2);
}

TEST_CASE("executor: a failing task is retried after a backoff, without spinning") {
  Fixture f({{"flaky", {}, 1, 0, 1, 2}, {"after", {"flaky"}}});
  f.runner.scripts["flaky"].exit_codes = {1, 1, 0};
  RunResult r = f.run();
  CHECK(r.status == "succeeded");
  REQUIRE(r.tasks[0].attempts.size() == 3);
  CHECK(r.tasks[0].attempts[0].status == "failed");
  CHECK(r.tasks[0].attempts[0].exit_code == 1);
  CHECK(r.tasks[0].attempts[2].status == "succeeded");
  // Backoffs of 1 s then 2 s between the attempts.
  CHECK(f.runner.started[1].at - f.runner.started[0].at == Approx(2));
  CHECK(f.runner.started[2].at - f.runner.started[1].at == Approx(3));
  CHECK(f.runner.waits < 20);
  CHECK(f.status(r, 1) == "succeeded");
}

TEST_CASE("executor: fail-fast leaves independent work not started; keep-going runs it; dependents are skipped") {
  std::vector<TaskSpec> tasks{{"bad", {}, 1, 0, 10}, {"b", {"bad"}, 1, 0, 10}, {"c", {"b"}, 1, 0, 10}, {"side", {}, 1, 0, 1}};
  Fixture fast(tasks, {1, 1e12});
  fast.runner.scripts["bad"].exit_codes = {3};
  RunResult r = fast.run();
  CHECK(r.status == "failed");
  CHECK(fast.start_order() == std::vector<std::string>{"bad"});
  CHECK(std::vector<std::string>{fast.status(r, 0), fast.status(r, 1), fast.status(r, 2), fast.status(r, 3)} ==
        std::vector<std::string>{"failed", "skipped", "skipped", "not_started"});
  REQUIRE(fast.diagnostics.size() == 1);
  CHECK_THAT(fast.diagnostics[0], Catch::Contains("error: task 'bad' failed (exit 3) after 1 attempt"));

  Fixture keep(tasks, {1, 1e12});
  keep.runner.scripts["bad"].exit_codes = {3};
  keep.options.keep_going = true;
  r = keep.run();
  CHECK(r.status == "failed");
  CHECK(keep.start_order() == std::vector<std::string>{"bad", "side"});
  CHECK(keep.status(r, 3) == "succeeded");
  CHECK(keep.status(r, 1) == "skipped");
}

TEST_CASE("executor: a timeout stops the task with SIGTERM at its deadline") {
  Fixture f({{"slow", {}, 1, 0, 1, 0, 0, 2.0}});
  f.runner.scripts["slow"].duration_s = 100;
  RunResult r = f.run();
  CHECK(r.status == "failed");
  CHECK(f.status(r, 0) == "timeout");
  CHECK(r.tasks[0].attempts[0].runtime_s == Approx(2));
  REQUIRE_FALSE(f.runner.signals.empty());
  CHECK(f.runner.signals[0].second == SIGTERM);
}

TEST_CASE("executor: a task killed for memory is retried with a reservation projected from its rising usage") {
  Fixture f({{"grow", {}, 1, 100e6, 4, 2}}, {1, 8e9});
  f.options.enforce_memory = true;
  f.options.sample_interval_s = 0.25;
  f.options.retry_backoff_s = 0;
  f.runner.scripts["grow"] = {4, {0}, 100'000'000};  // 100 MB/s for 4 s: needs 400 MB
  RunResult r = f.run();
  REQUIRE(r.tasks[0].attempts.size() >= 2);
  const auto& first = r.tasks[0].attempts[0];
  const auto& second = r.tasks[0].attempts[1];
  CHECK(first.status == "oom");
  CHECK(first.reserved.mem_bytes == 100e6);
  // Killed at ~1 s: 3 s left at 100 MB/s, plus 10%: far more than a flat 25% and not a doubling.
  CHECK(second.reserved.mem_bytes > 1.1 * (static_cast<double>(first.peak_rss_bytes) + 250e6));
  CHECK(second.reserved.mem_bytes <= 4 * static_cast<double>(first.peak_rss_bytes));
  CHECK(second.reserved.mem_bytes != 2 * first.reserved.mem_bytes);
  CHECK(second.status == "succeeded");
  CHECK_THAT(f.diagnostics[0], Catch::Contains("task 'grow' ran out of memory"));
  CHECK(f.runner.started[1].mem_bytes == static_cast<uint64_t>(second.reserved.mem_bytes));
}

TEST_CASE("executor: an interrupt stops every task; what never ran is not_started") {
  Fixture f({{"a", {}}, {"b", {}}, {"c", {"a"}}, {"d", {}}}, {2, 1e12});
  for (const char* id : {"a", "b", "c", "d"}) f.runner.scripts[id].duration_s = 30;
  f.runner.stop_at = 1000.5;
  RunResult r = f.run();
  CHECK(r.status == "interrupted");
  CHECK(r.stop_signal == SIGINT);
  CHECK(std::vector<std::string>{f.status(r, 0), f.status(r, 1), f.status(r, 2), f.status(r, 3)} ==
        std::vector<std::string>{"interrupted", "interrupted", "not_started", "not_started"});
  CHECK(r.finished_at - r.started_at < 1);
}

TEST_CASE("executor: every attempt is in history, written in batches") {
  std::vector<TaskSpec> tasks;
  for (int i = 0; i < 10; ++i) tasks.push_back({fmt::format("t{}", i), {}, 1, 0, 0.01, 1});
  Fixture f(tasks, {2, 1e12});
  f.options.history_batch_rows = 3;
  f.options.retry_backoff_s = 0;
  f.runner.scripts["t4"].exit_codes = {1, 0};
  for (int i = 0; i < 10; ++i) f.runner.scripts[fmt::format("t{}", i)].duration_s = 0.01;
  auto store = history::Store::open(":memory:");
  RunResult r = f.run(&store);
  CHECK(r.status == "succeeded");
  auto rows = store.export_all();
  CHECK(rows.size() == 11);
  CHECK(std::count_if(rows.begin(), rows.end(), [](const auto& e) { return e.task_id == "t4"; }) == 2);
  CHECK(std::all_of(rows.begin(), rows.end(), [](const auto& e) { return e.run_id == "run-1" && e.executor == "local"; }));
}

// Runs the fixture into an in-memory history and returns its rows by task id.
std::map<std::string, history::Execution> history_rows(Fixture& f) {
  auto store = history::Store::open(":memory:");
  REQUIRE(f.run(&store).status == "succeeded");
  std::map<std::string, history::Execution> rows;
  for (auto& e : store.export_all()) rows.emplace(e.task_id, std::move(e));
  return rows;
}

TEST_CASE("executor: each attempt is recorded with the host's mean runnable threads over the samples it ran through") {
  Fixture f({{"long"}, {"short", {"long"}}}, {2, 1e12});
  f.options.sample_interval_s = 1;
  f.runner.scripts["long"].duration_s = 4.5;
  f.runner.scripts["short"].duration_s = 0.2;  // sees no sample of its own
  double t0 = f.clock.monotonic();
  f.runner.runnable = [t0](double now) { return now - t0 < 2.5 ? 2.0 : 10.0; };  // samples at 0,1,2 then 3,4
  auto rows = history_rows(f);
  REQUIRE(rows.size() == 2);
  const auto& lng = rows.at("long");
  const auto& shrt = rows.at("short");
  REQUIRE(lng.host_runnable);
  CHECK(*lng.host_runnable == Approx((2.0 * 3 + 10.0 * 2) / 5));  // the five samples within its life
  CHECK(lng.host_cpus == 4);
  CHECK_FALSE(shrt.host_runnable);  // no sample of its own: an instant from before it started says nothing of it
  CHECK_FALSE(shrt.host_cpus);
}

TEST_CASE("executor: the runnable threads an attempt saw are discounted by the host's CPU pressure over its life") {
  Fixture f({{"busy"}, {"calm", {"busy"}}}, {2, 1e12});
  f.options.sample_interval_s = 1;
  f.runner.scripts["busy"].duration_s = 4.5;
  f.runner.scripts["calm"].duration_s = 4.5;
  double t0 = f.clock.monotonic();
  f.runner.runnable = [](double) { return 12.0; };  // 3 per CPU at every sample
  // Some thread waits all through the first task's life, and a fifth of the second's.
  f.runner.pressure = [t0](double now) { return now - t0 < 4.5 ? now - t0 : 4.5 + 0.2 * (now - t0 - 4.5); };
  auto rows = history_rows(f);
  REQUIRE(rows.size() == 2);
  const auto& busy = rows.at("busy");
  const auto& calm = rows.at("calm");
  REQUIRE(busy.host_runnable);
  CHECK(*busy.host_runnable == Approx(12).margin(0.5));
  REQUIRE(calm.host_runnable);
  CHECK(*calm.host_runnable == Approx(4 * (1 + 0.2 * 2)).margin(0.5));  // λ 3 over a fifth of its life: 1.4
  CHECK(calm.host_cpus == 4);
}

TEST_CASE("executor: a failed read of the host's load is no sample of the attempts running") {
  Fixture f({{"long"}, {"short", {"long"}}}, {2, 1e12});
  f.options.sample_interval_s = 1;
  f.runner.scripts["long"].duration_s = 4.5;
  f.runner.scripts["short"].duration_s = 1.5;
  double t0 = f.clock.monotonic();
  // Reads at 0, 1, 2 succeed (2 runnable), then fail: the long attempt's mean is of its fresh
  // samples only, and the short one, which saw only failed reads, has no load at all.
  f.runner.runnable = [t0](double now) { return now - t0 < 2.5 ? 2.0 : -1.0; };
  auto rows = history_rows(f);
  REQUIRE(rows.size() == 2);
  const auto& lng = rows.at("long");
  const auto& shrt = rows.at("short");
  REQUIRE(lng.host_runnable);
  CHECK(*lng.host_runnable == Approx(2));
  CHECK_FALSE(shrt.host_runnable);
}

TEST_CASE("executor: without a host load, rows carry none") {
  Fixture f({{"a"}}, {2, 1e12});
  auto rows = history_rows(f);
  REQUIRE(rows.size() == 1);
  CHECK_FALSE(rows.at("a").host_runnable);
  CHECK_FALSE(rows.at("a").host_cpus);
}

TEST_CASE("executor: history rows reach the store while the run goes on, within the batch interval") {
  TempDir dir;
  std::vector<TaskSpec> tasks;
  for (int i = 0; i < 6; ++i) tasks.push_back({fmt::format("t{}", i)});
  Fixture f(tasks, {1, 1e12});
  f.options.history_batch_s = 0.05;
  auto store = history::Store::open(dir.file("h.db"));
  size_t seen_mid_run = 0;
  f.runner.on_exit = [&](size_t exits) {
    if (exits != 4) return;
    // The run waits here, so only the writer thread can bring the rows.
    seen_mid_run = rows_seen(dir.file("h.db"), 3);
  };
  RunResult r = f.run(&store);
  CHECK(r.status == "succeeded");
  CHECK(seen_mid_run == 3);  // the three that ended before, not waiting for the end of the run
  CHECK(store.count() == 6);
}

TEST_CASE("executor: a row queued while the writer waits for an earlier one is written within the batch interval too") {
  TempDir dir;
  std::vector<TaskSpec> tasks;
  for (int i = 0; i < 4; ++i) tasks.push_back({fmt::format("t{}", i)});
  Fixture f(tasks, {1, 1e12});
  f.options.history_batch_s = 0.3;
  auto store = history::Store::open(dir.file("h.db"));
  size_t seen = 0;
  f.runner.on_exit = [&](size_t exits) {
    // Between the first row and the second, real time passes (less than the batch interval);
    // at the third exit both must reach the store without a third row to wake the writer.
    if (exits == 2) std::this_thread::sleep_for(std::chrono::milliseconds(100));
    if (exits == 3) seen = rows_seen(dir.file("h.db"), 2);
  };
  REQUIRE(f.run(&store).status == "succeeded");
  CHECK(seen == 2);
  CHECK(store.count() == 4);
}

TEST_CASE("executor: a task that cannot be started fails (after its retries) without stalling the run") {
  Fixture f({{"refused", {}, 1, 0, 1, 1}, {"fine", {}}}, {2, 1e12});
  f.runner.scripts["refused"].refuse_start = true;
  f.options.keep_going = true;
  RunResult r = f.run();
  CHECK(r.status == "failed");
  CHECK(f.status(r, 0) == "failed");
  CHECK(r.tasks[0].attempts.size() == 2);
  CHECK(f.status(r, 1) == "succeeded");
}

TEST_CASE("executor: a resumed run skips what is done and numbers attempts on") {
  Fixture f({{"a", {}}, {"b", {"a"}}, {"c", {"b"}}});
  f.options.done = {1, 0, 0};
  f.options.prior_attempts = {1, 2, 0};
  RunResult r = f.run();
  CHECK(r.status == "succeeded");
  CHECK(f.status(r, 0) == "resumed");
  CHECK(f.start_order() == std::vector<std::string>{"b", "c"});
  CHECK(f.runner.started[0].attempt == 3);
  CHECK(f.runner.started[1].attempt == 1);
}

TEST_CASE("executor: the root's end kills what is left of its process group") {
  Fixture f({{"a", {}}, {"b", {}}});
  RunResult r = f.run();
  CHECK(r.status == "succeeded");
  CHECK(f.runner.ended_groups.size() == 2);
}

TEST_CASE("LocalRunner: a log file exists only when written to, or when the attempt failed") {
  TempDir dir;
  LocalRunner runner;
  auto run = [&](const std::string& name, std::vector<std::string> argv) {
    SpawnSpec spec;
    spec.argv = std::move(argv);
    spec.env = {"PATH=/usr/bin:/bin"};
    spec.stdout_path = dir.file(name + ".out");
    spec.stderr_path = dir.file(name + ".err");
    pid_t pid = runner.start(spec);
    CHECK(spec.stdout_path == dir.file(name + ".out"));  // given back as it was
    std::optional<Exit> ex;
    while (!(ex = runner.wait(5)) || ex->pid != pid) {
    }
    return runner.logs(pid);
  };
  LogFiles silent = run("silent", {"true"});
  CHECK_FALSE(silent.out);
  CHECK_FALSE(silent.err);
  CHECK(::access(dir.file("silent.out").c_str(), F_OK) != 0);
  LogFiles talks = run("talks", {"/bin/sh", "-c", "echo hello"});
  CHECK(talks.out);
  CHECK_FALSE(talks.err);
  CHECK(read_text(dir.file("talks.out")) == "hello\n");
  LogFiles failed = run("failed", {"/bin/sh", "-c", "echo oops >&2; exit 2"});
  CHECK(failed.out);
  CHECK(failed.err);
  CHECK(read_text(dir.file("failed.out")).empty());
  CHECK(read_text(dir.file("failed.err")) == "oops\n");
  // Big output, more than a pipe or a page: all of it, in order.
  LogFiles big = run("big", {"/bin/sh", "-c", "seq 1 200000"});
  CHECK(big.out);
  std::string text = read_text(dir.file("big.out"));
  CHECK(text.size() == 1288895);
  CHECK(text.substr(text.size() - 7) == "200000\n");
}

TEST_CASE("LocalRunner: a running task's log appears at the next sample") {
  TempDir dir;
  LocalRunner runner;
  SpawnSpec spec;
  spec.argv = {"/bin/sh", "-c", "echo early; sleep 0.3; echo late"};
  spec.env = {"PATH=/usr/bin:/bin"};
  spec.stdout_path = dir.file("t.out");
  pid_t pid = runner.start(spec);
  for (int i = 0; i < 200 && read_text(dir.file("t.out")).empty(); ++i) {
    std::vector<TaskUsage> usage;
    runner.sample(std::vector<pid_t>{pid}, usage);
    ::usleep(10'000);
  }
  CHECK(read_text(dir.file("t.out")) == "early\n");
  std::optional<Exit> ex;
  while (!(ex = runner.wait(5)) || ex->pid != pid) {
  }
  CHECK(read_text(dir.file("t.out")) == "early\nlate\n");
}

TEST_CASE("LocalRunner: waiting with no child sleeps instead of returning at once") {
  LocalRunner runner;
  auto start = std::chrono::steady_clock::now();
  CHECK_FALSE(runner.wait(0.2));
  CHECK(std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count() >= 0.19);
  CHECK(runner.take_stop_signal() == 0);
}

namespace {

// Records what the executor tells it, and grows the capacity once, at a chosen time.
class RecordingObserver final : public Observer {
 public:
  std::vector<std::string> calls;
  std::optional<double> grow_at;
  schedule::Capacity grown;
  size_t max_running_seen = 0;

  explicit RecordingObserver(const model::Workflow& w) : wf_(w) {}
  void started(uint32_t task, int attempt, const schedule::Demand&, double) override {
    calls.push_back(fmt::format("started {} {}", wf_.tasks[task].id, attempt));
  }
  void sampled(const RunState& state, std::span<const LiveSample> live) override {
    CHECK(live.size() == state.running);
    max_running_seen = std::max(max_running_seen, live.size());
    for (const auto& l : live) CHECK(l.elapsed_s >= 0);
  }
  void finished(uint32_t task, int attempt, const AttemptResult& r, bool will_retry, double) override {
    calls.push_back(fmt::format("finished {} {} {}{}", wf_.tasks[task].id, attempt, r.status, will_retry ? " retry" : ""));
  }
  std::optional<schedule::Capacity> capacity(const RunState& state) override {
    if (grow_at && state.now_s >= *grow_at) {
      grow_at.reset();
      return grown;
    }
    return std::nullopt;
  }
  void ended(const std::string& status, double) override { calls.push_back("ended " + status); }

 private:
  const model::Workflow& wf_;
};

}  // namespace

TEST_CASE("executor: observers see every start, sample and end, and a capacity they set is scheduled into at once") {
  std::vector<TaskSpec> tasks;
  for (int i = 0; i < 6; ++i) tasks.push_back({fmt::format("t{}", i), {}, 1, 0, 10});
  Fixture f(tasks, {1, 1e12});
  for (int i = 0; i < 6; ++i) f.runner.scripts[fmt::format("t{}", i)].duration_s = 10;
  f.options.sample_interval_s = 1;
  RecordingObserver obs(f.wf);
  obs.grow_at = 2.5;
  obs.grown = {3, 1e12};
  RunResult r = f.run(nullptr, &obs);
  CHECK(r.status == "succeeded");
  // One at a time until the grow after 3 s; then three at once: 10 + 2 x 10 s after the first.
  REQUIRE(r.capacity_changes.size() == 1);
  CHECK(r.capacity_changes[0].first == Approx(3));
  CHECK(r.capacity_changes[0].second.cpus == 3);
  CHECK(f.runner.started[1].at == Approx(1003));
  CHECK(f.runner.started[2].at == Approx(1003));
  CHECK(f.runner.max_cpus == 3);
  CHECK(obs.max_running_seen == 3);
  CHECK(obs.calls.front() == "started t0 1");
  CHECK(obs.calls.back() == "ended succeeded");
  CHECK(std::count_if(obs.calls.begin(), obs.calls.end(), [](const std::string& c) { return c.starts_with("finished"); }) == 6);
  CHECK(std::any_of(f.event_lines.begin(), f.event_lines.end(),
                    [](const std::string& l) { return l.find("\"capacity_changed\"") != std::string::npos; }));
}
