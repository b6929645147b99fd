#include "run/executor.h"

#include <algorithm>
#include <array>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>
#include <cmath>
#include <csignal>

#include <sys/resource.h>

#include <fmt/format.h>

#include "model/command.h"
#include "model/units.h"
#include "predict/contention.h"
#include "predict/estimate.h"
#include "run/command.h"
#include "run/environment.h"
#include "run/wait_status.h"
#include "util/log.h"
#include "util/machine.h"
#include "util/strings.h"

namespace wf::run {
namespace {

std::string safe_name(std::string_view id) {
  std::string out;
  for (char c : id) out += (std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.') ? c : '_';
  if (out.size() > 80) out.resize(80);
  return out;
}

double self_cpu_s() {
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  return static_cast<double>(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) + static_cast<double>(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
}

bool is_failure(const std::string& status) { return status == "failed" || status == "timeout" || status == "oom"; }

// The variables every task gets: wf-run's environment without them, then one slot each, at the end.
constexpr const char* kTaskVars[] = {"WF_RUN_ID", "WF_TASK_ID", "WF_ATTEMPT", "WF_CPUS", "WF_MEM"};
constexpr size_t kTaskVarCount = std::size(kTaskVars);

Environment task_environment_base() {
  Environment env = current_environment();
  std::erase_if(env, [](const std::string& kv) {
    return std::any_of(std::begin(kTaskVars), std::end(kTaskVars), [&kv](std::string_view k) {
      return kv.size() > k.size() && kv.compare(0, k.size(), k) == 0 && kv[k.size()] == '=';
    });
  });
  env.resize(env.size() + kTaskVarCount);
  return env;
}

}  // namespace

history::Execution history_row(const model::Workflow& wf, const model::Task& task, int attempt, const AttemptResult& ar,
                               const RowContext& context) {
  history::Execution e;
  e.run_id = context.run_id;
  e.workflow = context.workflow;
  e.task_id = task.id;
  e.category = task.category.empty() ? task.id : task.category;
  e.features = predict::task_features(wf, task);
  e.start_s = ar.start_s;
  e.end_s = ar.end_s;
  e.runtime_s = ar.runtime_s;
  e.cpu_time_s = ar.cpu_time_s;
  e.peak_rss_bytes = static_cast<int64_t>(ar.peak_rss_bytes);
  e.read_bytes = static_cast<int64_t>(ar.read_bytes);
  e.write_bytes = static_cast<int64_t>(ar.write_bytes);
  e.exit_code = ar.exit_code;
  e.signal = ar.signal;
  e.status = history::parse_status(ar.status).value_or(history::Status::failed);
  e.attempt = attempt;
  e.mem_reserved_bytes = static_cast<int64_t>(ar.reserved.mem_bytes);
  e.cpus_reserved = ar.reserved.cpus;
  e.host = context.host;
  e.host_runnable = ar.host_runnable;
  e.host_cpus = ar.host_cpus;
  e.executor = context.executor;
  return e;
}

namespace {

// Writes history rows on a thread of its own, a transaction per batch (batch_rows rows, or what
// came within batch_s), so that SQLite's work never sits between a task's end and the next start.
// While it lives, the Store is used by its thread only. The destructor writes what is queued.
class HistoryWriter {
 public:
  HistoryWriter(history::Store& store, size_t batch_rows, double batch_s, std::string run_id)
      : store_(store), batch_rows_(std::max<size_t>(1, batch_rows)), batch_s_(batch_s), run_id_(std::move(run_id)),
        thread_([this] { loop(); }) {}
  HistoryWriter(const HistoryWriter&) = delete;
  HistoryWriter& operator=(const HistoryWriter&) = delete;
  ~HistoryWriter() {
    {
      std::lock_guard lock(mu_);
      stop_ = true;
    }
    cv_.notify_one();
    thread_.join();
  }

  void add(history::Execution row) {
    std::lock_guard lock(mu_);
    bool first = queue_.empty();  // the thread sleeps without a deadline until then
    if (first) first_at_ = std::chrono::steady_clock::now();
    queue_.push_back(std::move(row));
    if (first || queue_.size() == batch_rows_) cv_.notify_one();
  }

 private:
  void loop() {
    std::vector<history::Execution> batch;
    std::unique_lock lock(mu_);
    const auto batch_time = std::chrono::duration_cast<std::chrono::steady_clock::duration>(std::chrono::duration<double>(batch_s_));
    for (;;) {
      if (queue_.empty()) {
        if (stop_) return;
        cv_.wait(lock, [&] { return stop_ || !queue_.empty(); });
        continue;
      }
      // The deadline is the first queued row's, read now: one computed before that row came
      // would keep a row waiting for the next one (or the end of the run).
      cv_.wait_until(lock, first_at_ + batch_time, [&] { return stop_ || queue_.size() >= batch_rows_; });
      batch.swap(queue_);
      lock.unlock();
      write(batch);
      batch.clear();
      lock.lock();
    }
  }

  // Never throws: a history that cannot be written must not fail the run (the journal keeps the
  // rows, and a resume records them).
  void write(const std::vector<history::Execution>& rows) noexcept {
    try {
      store_.record_batch(rows);
    } catch (const std::exception& err) {
      util::warn("history: {} ({} rows not recorded; `wf-run --resume {}` records them from the journal)", err.what(),
                 rows.size(), run_id_);
    }
  }

  history::Store& store_;
  const size_t batch_rows_;
  const double batch_s_;
  const std::string run_id_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<history::Execution> queue_;
  std::chrono::steady_clock::time_point first_at_;
  bool stop_ = false;
  std::thread thread_;  // last: started once everything it uses exists
};

}  // namespace

struct Executor::Impl {
  static constexpr size_t kRecentSamples = 8;

  // One running attempt.
  struct Live {
    uint32_t task = 0;
    int attempt = 1;
    pid_t pid = 0;
    double start_mono = 0, start_wall = 0;
    schedule::Demand reserved;
    std::optional<double> deadline;  // monotonic
    std::optional<double> kill_at;   // SIGKILL after the grace period
    bool timed_out = false, memory_killed = false, interrupted = false;
    uint64_t peak_rss = 0, read_bytes = 0, write_bytes = 0;
    double cpu_s = 0;
    double runnable_sum = 0;  // the host's runnable threads, summed over the samples it ran through
    int runnable_samples = 0;
    std::optional<double> pressure_start;  // the host's CPU pressure (Runner::cpu_pressure_s) at its start
    // The latest samples' (time, RSS), a ring: how fast memory was rising (memory retries).
    size_t samples = 0;
    std::array<std::pair<double, uint64_t>, kRecentSamples> recent{};
  };

  const model::Workflow& wf;
  const model::Dag& dag;
  ExecutorOptions opt;
  Runner& runner;
  history::Store* history;
  Events& events;
  Journal* journal;
  util::Clock& clock;
  schedule::Policy policy;
  std::vector<schedule::TaskInfo> info;
  std::vector<int> attempts;
  std::vector<Live> live;  // few (bounded by the capacity): a vector beats a map
  schedule::Demand held{0, 0};  // what the live attempts hold: the policy's reservations of started tasks
  RunResult result;
  double t0 = 0;
  bool stopping = false, failed = false, pick_needed = true;
  double next_sample = 0, next_progress = 0;
  std::vector<pid_t> roots;
  std::vector<TaskUsage> usage;
  // The host's load at the latest sample (its CPUs, and the runnable threads each live attempt
  // adds up over the samples it sees).
  std::optional<HostLoad> host_load;
  std::optional<double> pressure_now;  // the host's CPU pressure at the latest sample

  // The runnable threads an attempt competed with over `elapsed_s` of its life: the mean of the
  // samples it saw, discounted by the share of that time in which any thread on the host waited
  // for a CPU (predict::pressured_runnable) when the kernel tells it. The count is of instants
  // (a pipeline's processes, a spawn, all runnable at once); the pressure is a running sum.
  double competing(const Live& l, double elapsed_s, std::optional<double> pressure) const {
    double runnable = l.runnable_sum / l.runnable_samples;
    if (!l.pressure_start || !pressure || !(elapsed_s > 0)) return runnable;
    return predict::pressured_runnable(runnable, host_load->cpus, (*pressure - *l.pressure_start) / elapsed_s);
  }
  size_t done_count = 0, failed_count = 0;
  double total_work = 0, done_work = 0;  // expected seconds, for the progress line's ETA
  RowContext row_context;
  std::optional<HistoryWriter> writer;  // while run() runs, when there is a history
  std::vector<Observer*> observers;
  std::vector<LiveSample> live_samples;  // reused by every sample, for the observers
  SpawnSpec spec;            // reused by every launch: its buffers keep their capacity
  size_t env_slots = 0;      // index of WF_RUN_ID in spec.env; the other task variables follow

  Impl(const model::Workflow& w, const model::Dag& d, std::vector<schedule::TaskInfo> i, ExecutorOptions o, Runner& r,
       history::Store* h, Events& e, Journal* j, util::Clock& c)
      : wf(w), dag(d), opt(std::move(o)), runner(r), history(h), events(e), journal(j), clock(c),
        policy(d, i, opt.capacity), info(std::move(i)), attempts(d.size(), 0) {
    result.tasks.resize(dag.size());
    for (uint32_t t = 0; t < dag.size() && t < opt.prior_attempts.size(); ++t) attempts[t] = opt.prior_attempts[t];
    for (const auto& ti : info) total_work += ti.expected_s;
    row_context = {opt.run_id, opt.workflow_name, util::host_name(), opt.executor};
    spec.cwd = opt.workdir;
    spec.env = task_environment_base();
    env_slots = spec.env.size() - kTaskVarCount;
    spec.env[env_slots] = fmt::format("WF_RUN_ID={}", opt.run_id);
  }

  double now() const { return clock.monotonic() - t0; }

  std::string log_path(uint32_t t, int attempt, const char* ext) const {
    return fmt::format("{}/{:04}-{}.{}.{}", opt.log_dir, t, safe_name(wf.tasks[t].id), attempt, ext);
  }

  void set_task_env(const model::Task& task, int attempt, const schedule::Demand& d) {
    auto set = [this](size_t slot, std::string_view key, std::string_view value) {
      std::string& kv = spec.env[env_slots + slot];
      kv.assign(key);
      kv += '=';
      kv += value;
    };
    set(1, "WF_TASK_ID", task.id);
    set(2, "WF_ATTEMPT", fmt::format_int(attempt).c_str());
    set(3, "WF_CPUS", util::format_number(d.cpus));
    set(4, "WF_MEM", fmt::format_int(static_cast<uint64_t>(d.mem_bytes)).c_str());
  }

  template <class Fill>
  void emit(std::string_view event, Fill&& fill) {
    if (events.enabled()) events.emit(event, fill);  // no event object built for nobody
  }

  void launch(uint32_t t) {
    const auto& task = wf.tasks[t];
    int attempt = ++attempts[t];
    model::Command cmd = model::render_command(wf, task);
    TaskResult& tr = result.tasks[t];
    tr.command = model::display(cmd);
    spec.argv = cmd.shell ? argv_for(cmd.script) : std::move(cmd.argv);
    const schedule::Demand d = policy.demand(t);
    set_task_env(task, attempt, d);
    spec.stdout_path = log_path(t, attempt, "out");
    spec.stderr_path = log_path(t, attempt, "err");
    Live l;
    l.task = t;
    l.attempt = attempt;
    l.reserved = d;
    l.pressure_start = runner.cpu_pressure_s();
    l.start_mono = clock.monotonic();
    l.start_wall = clock.wall();
    if (task.timeout_s) l.deadline = l.start_mono + *task.timeout_s;
    try {
      l.pid = runner.start(spec);
    } catch (const Error& e) {
      start_failed(l, e.what());
      return;
    }
    held.cpus += d.cpus;
    held.mem_bytes += d.mem_bytes;
    if (journal) journal->append_started(task.id, attempt, l.pid, l.start_wall);
    emit("task_started", [&](io::Json& o, io::Alloc& a) {
      o.AddMember("task", io::str(task.id, a), a);
      o.AddMember("attempt", attempt, a);
      o.AddMember("pid", l.pid, a);
      o.AddMember("cpus", io::number(d.cpus), a);
      o.AddMember("mem_bytes", io::number(d.mem_bytes), a);
      o.AddMember("reserved_cpus", io::number(held.cpus), a);
      o.AddMember("reserved_mem_bytes", io::number(held.mem_bytes), a);
      o.AddMember("capacity_cpus", io::number(policy.capacity().cpus), a);
      o.AddMember("capacity_mem_bytes", io::number(policy.capacity().mem_bytes), a);
    });
    result.peak_reserved_cpus = std::max(result.peak_reserved_cpus, held.cpus);
    result.peak_reserved_mem_bytes = std::max(result.peak_reserved_mem_bytes, held.mem_bytes);
    live.push_back(l);
    for (Observer* o : observers) o->started(t, attempt, d, now());
  }

  // The system refused to start the attempt (no process, EAGAIN): it failed without running.
  void start_failed(const Live& l, const std::string& why) {
    AttemptResult ar;
    ar.status = "failed";
    ar.start_s = ar.end_s = l.start_wall;
    ar.reserved = l.reserved;
    util::warn("task '{}' could not be started: {}", wf.tasks[l.task].id, why);
    conclude(l, ar, why);
  }

  // A memory retry's reservation, grown from what was measured rather than doubled: at least
  // memory_growth × the peak; when memory was still rising at the kill, the recent rise (over the
  // last kRecentSamples samples) projected over the time the task had left, plus 10%. The time
  // left is the expected duration minus the elapsed, but at least the elapsed: the median of what
  // is left of a run that has lasted this long when its length is uncertain (a hint, a prediction
  // made on another machine). Never more than 4× the peak, nor the capacity.
  double grown_memory(const Live& l, double elapsed) const {
    double peak = std::max(static_cast<double>(l.peak_rss), l.reserved.mem_bytes);
    double target = peak * opt.memory_growth;
    if (l.samples >= 2) {
      const auto& [old_s, old_rss] = l.recent[l.samples > kRecentSamples ? l.samples % kRecentSamples : 0];
      const auto& [new_s, new_rss] = l.recent[(l.samples - 1) % kRecentSamples];
      if (new_s > old_s && static_cast<double>(new_rss) > 1.1 * static_cast<double>(old_rss)) {
        double slope = static_cast<double>(new_rss - old_rss) / (new_s - old_s);
        double left = std::max(info[l.task].expected_s - elapsed, elapsed);
        target = std::max(target, 1.1 * (peak + slope * left));
      }
    }
    return std::min({std::ceil(target), std::ceil(4 * peak), policy.capacity().mem_bytes});
  }

  void queue_row(const Live& l, const AttemptResult& ar) {
    if (!writer) return;
    history::Execution row = history_row(wf, wf.tasks[l.task], l.attempt, ar, row_context);
    if (auto problem = history::find_problem(row)) {
      util::warn("history: {}: {}; not recorded", history::describe(row), *problem);
      return;
    }
    writer->add(std::move(row));
  }

  AttemptResult measure(const Live& l, const Exit& ex) const {
    AttemptResult ar;
    double end_mono = clock.monotonic();
    ar.start_s = l.start_wall;
    ar.runtime_s = std::max(0.0, end_mono - l.start_mono);
    ar.end_s = l.start_wall + ar.runtime_s;
    ar.cpu_time_s = std::max(ex.user_s + ex.sys_s, l.cpu_s);
    ar.peak_rss_bytes = std::max<uint64_t>(l.peak_rss, ex.max_rss_bytes);
    ar.read_bytes = l.read_bytes;
    ar.write_bytes = l.write_bytes;
    ar.exit_code = exit_code(ex.status);
    ar.signal = term_signal(ex.status).value_or(0);
    ar.reserved = l.reserved;
    // Only the samples taken while it ran say what it competed with: the count of runnable
    // threads is of one instant, and an attempt that saw none is recorded with no load (read as
    // measured) rather than with an instant from before it started.
    if (host_load && l.runnable_samples > 0) {
      ar.host_runnable = competing(l, ar.runtime_s, runner.cpu_pressure_s());
      ar.host_cpus = host_load->cpus;
    }
    bool sigkilled = killed_by_sigkill(ex.status) || ar.exit_code == 137;
    if (ar.exit_code == 0) ar.status = "succeeded";
    else if (l.interrupted) ar.status = "interrupted";
    else if (l.timed_out) ar.status = "timeout";
    else if (l.memory_killed || (sigkilled && l.reserved.mem_bytes > 0 && static_cast<double>(ar.peak_rss_bytes) >= 0.9 * l.reserved.mem_bytes))
      ar.status = "oom";
    else ar.status = "failed";
    return ar;
  }

  void finished(const Exit& ex) {
    auto it = std::find_if(live.begin(), live.end(), [&ex](const Live& x) { return x.pid == ex.pid; });
    if (it == live.end()) return;  // an orphan we adopted as subreaper
    Live l = *it;
    *it = live.back();
    live.pop_back();
    // Nothing of a task outlives it. One we stopped may have members outside its group too.
    if (l.timed_out || l.interrupted || l.memory_killed) runner.signal(l.pid, SIGKILL);
    else runner.end_group(l.pid);
    held.cpus -= l.reserved.cpus;
    held.mem_bytes -= l.reserved.mem_bytes;
    if (live.empty()) held = {0, 0};  // no float drift when idle
    LogFiles logs = runner.logs(l.pid);
    TaskResult& tr = result.tasks[l.task];
    tr.log_out = logs.out ? log_path(l.task, l.attempt, "out") : std::string();
    tr.log_err = logs.err ? log_path(l.task, l.attempt, "err") : std::string();
    AttemptResult ar = measure(l, ex);
    queue_row(l, ar);
    conclude(l, ar, describe_status(ex.status));
  }

  // Records an ended attempt and decides what comes next: a retry, or the task's end.
  void conclude(const Live& l, AttemptResult& ar, const std::string& why) {
    const auto& task = wf.tasks[l.task];
    TaskResult& tr = result.tasks[l.task];
    pick_needed = true;
    std::string fp;
    if (ar.status == "succeeded") {
      std::vector<std::string> inputs;
      for (const auto& f : task.inputs) inputs.push_back(f.path);
      fp = fingerprint(tr.command, inputs, opt.workdir);
    }
    if (journal) journal->append_finished(task.id, l.attempt, l.pid, ar, fp);
    int this_run = l.attempt - (l.task < opt.prior_attempts.size() ? opt.prior_attempts[l.task] : 0);
    bool retry = ar.status != "succeeded" && ar.status != "interrupted" && !stopping && this_run <= task.retries;
    emit(ar.status == "succeeded" ? "task_finished" : retry ? "task_retried" : "task_failed", [&](io::Json& o, io::Alloc& a) {
      o.AddMember("task", io::str(task.id, a), a);
      o.AddMember("attempt", l.attempt, a);
      o.AddMember("status", io::str(ar.status, a), a);
      if (ar.exit_code) o.AddMember("exit_code", *ar.exit_code, a);
      if (ar.signal) o.AddMember("signal", ar.signal, a);
      o.AddMember("runtime_s", io::number(ar.runtime_s), a);
      o.AddMember("cpu_time_s", io::number(ar.cpu_time_s), a);
      o.AddMember("peak_rss_bytes", ar.peak_rss_bytes, a);
      o.AddMember("read_bytes", ar.read_bytes, a);
      o.AddMember("write_bytes", ar.write_bytes, a);
      o.AddMember("cpus", io::number(l.reserved.cpus), a);
      o.AddMember("mem_reserved_bytes", io::number(l.reserved.mem_bytes), a);
    });
    tr.attempts.push_back(std::move(ar));
    const AttemptResult& last = tr.attempts.back();
    for (Observer* o : observers) o->finished(l.task, l.attempt, last, retry, now());
    if (retry) {
      schedule::Demand next = l.reserved;
      if (last.status == "oom") next.mem_bytes = grown_memory(l, last.runtime_s);
      double backoff = std::min(60.0, opt.retry_backoff_s * std::pow(2.0, this_run - 1));
      if (last.status == "oom")
        util::note("task '{}' ran out of memory at {} (reserved {}); retrying with {}", task.id,
                   model::format_bytes(static_cast<double>(last.peak_rss_bytes)), model::format_bytes(l.reserved.mem_bytes),
                   model::format_bytes(next.mem_bytes));
      else
        util::note("task '{}' {} ({}); retrying in {}", task.id, last.status, why, model::format_duration(backoff));
      policy.requeue(l.task, next, now() + backoff);
      return;
    }
    policy.finish(l.task, last.status == "succeeded", now());
    tr.status = last.status;
    if (last.status == "succeeded") {
      ++done_count;
      done_work += info[l.task].expected_s;
      return;
    }
    ++failed_count;
    if (last.status == "interrupted") return;
    failed = true;
    util::diag(util::Severity::error, fmt::format("task '{}' {} ({}) after {} attempt{}{}{}", task.id, last.status, why, tr.attempts.size(),
                                                  tr.attempts.size() == 1 ? "" : "s", tr.log_err.empty() ? "" : "; log: ", tr.log_err));
  }

  void sample() {
    roots.clear();
    for (const auto& l : live) roots.push_back(l.pid);
    double before = self_cpu_s();
    runner.sample(roots, usage);
    // A failed read keeps the last known load (its CPUs), but is no sample of the live attempts.
    std::optional<HostLoad> fresh = runner.host_load();
    if (fresh) host_load = fresh;
    pressure_now = runner.cpu_pressure_s();
    result.sampling_cpu_s += self_cpu_s() - before;
    ++result.samples;
    uint64_t total_rss = 0;
    double now_mono = clock.monotonic();
    for (size_t i = 0; i < live.size() && i < usage.size(); ++i) {
      Live& l = live[i];
      const TaskUsage& u = usage[i];
      l.peak_rss = std::max(l.peak_rss, u.rss_bytes);
      l.cpu_s = std::max(l.cpu_s, u.cpu_s);
      l.read_bytes = std::max(l.read_bytes, u.read_bytes);
      l.write_bytes = std::max(l.write_bytes, u.write_bytes);
      total_rss += u.rss_bytes;
      if (fresh) l.runnable_sum += fresh->runnable, ++l.runnable_samples;
      if (u.processes > 0) l.recent[l.samples++ % kRecentSamples] = {now_mono, u.rss_bytes};
      if (opt.enforce_memory && !l.memory_killed && l.reserved.mem_bytes > 0 && static_cast<double>(u.rss_bytes) > l.reserved.mem_bytes) {
        l.memory_killed = true;
        runner.signal(l.pid, SIGKILL);
      }
    }
    result.peak_rss_bytes = std::max(result.peak_rss_bytes, total_rss);
    emit("usage", [&](io::Json& o, io::Alloc& a) {
      o.AddMember("running", static_cast<uint64_t>(live.size()), a);
      o.AddMember("rss_bytes", total_rss, a);
      o.AddMember("reserved_cpus", io::number(held.cpus), a);
      o.AddMember("reserved_mem_bytes", io::number(held.mem_bytes), a);
    });
    if (!observers.empty()) observe_sample(now_mono);
  }

  RunState state() const {
    return {now(), policy.capacity(), held, live.size(), policy.ready(), done_count, failed_count, dag.size()};
  }

  // Hands the sample to the observers, then lets them change the capacity. A capacity change is
  // taken at once: the policy picks again (a grown capacity starts what waited; a shrunk one starts
  // nothing until the running attempts fit it).
  void observe_sample(double now_mono) {
    live_samples.clear();
    for (size_t i = 0; i < live.size() && i < usage.size(); ++i) {
      const Live& l = live[i];
      live_samples.push_back({l.task, l.attempt, now_mono - l.start_mono, l.reserved, usage[i], l.peak_rss, std::nullopt});
      if (host_load && l.runnable_samples > 0 && host_load->cpus > 0)
        live_samples.back().oversubscription = competing(l, now_mono - l.start_mono, pressure_now) / host_load->cpus;
    }
    RunState s = state();
    for (Observer* o : observers) o->sampled(s, live_samples);
    for (Observer* obs : observers) {
      auto next = obs->capacity(state());
      if (!next || (next->cpus == policy.capacity().cpus && next->mem_bytes == policy.capacity().mem_bytes)) continue;
      schedule::Capacity before = policy.capacity();
      policy.set_capacity(*next);
      pick_needed = true;
      result.capacity_changes.emplace_back(now(), *next);
      emit("capacity_changed", [&](io::Json& o, io::Alloc& a) {
        o.AddMember("capacity_cpus", io::number(next->cpus), a);
        o.AddMember("capacity_mem_bytes", io::number(next->mem_bytes), a);
        o.AddMember("previous_cpus", io::number(before.cpus), a);
        o.AddMember("previous_mem_bytes", io::number(before.mem_bytes), a);
      });
    }
  }

  void check_deadlines() {
    double m = clock.monotonic();
    for (auto& l : live) {
      if (l.deadline && !l.timed_out && !l.interrupted && m >= *l.deadline) {
        l.timed_out = true;
        runner.signal(l.pid, SIGTERM);
        l.kill_at = m + opt.kill_grace_s;
        util::warn("task '{}' passed its timeout of {}; stopping it", wf.tasks[l.task].id, model::format_duration(*wf.tasks[l.task].timeout_s));
      }
      if (l.kill_at && m >= *l.kill_at) {
        runner.signal(l.pid, SIGKILL);
        l.kill_at.reset();
      }
    }
  }

  void stop_all(int sig) {
    stopping = true;
    result.stop_signal = sig;
    double m = clock.monotonic();
    for (auto& l : live) {
      l.interrupted = true;
      runner.signal(l.pid, SIGTERM);
      l.kill_at = m + opt.kill_grace_s;
    }
  }

  bool accepting() const { return !stopping && !(failed && !opt.keep_going); }

  double wait_timeout() const {
    double m = now(), mono = clock.monotonic();
    double t = 3600;
    if (!live.empty()) t = std::max(0.0, next_sample - m);
    if (auto r = policy.next_release(); r && accepting()) t = std::min(t, std::max(0.0, *r - m));
    for (const auto& l : live) {
      if (l.deadline && !l.timed_out) t = std::min(t, std::max(0.0, *l.deadline - mono));
      if (l.kill_at) t = std::min(t, std::max(0.0, *l.kill_at - mono));
    }
    if (opt.progress) t = std::min(t, std::max(0.0, next_progress - m));
    return t;
  }

  void progress_line(bool final_line) {
    if (!opt.progress) return;
    double elapsed = now();
    std::string eta;
    // Remaining expected work over the pace achieved so far.
    if (done_count > 0 && done_count < dag.size() && done_work > 0)
      eta = fmt::format(", ETA {}", model::format_duration(elapsed * (total_work - done_work) / done_work));
    std::fprintf(stderr, "\r\033[K%s: %zu/%zu done, %zu running, %zu failed, %s elapsed%s%s", util::program_name().c_str(),
                 done_count, static_cast<size_t>(dag.size()), live.size(), failed_count, model::format_duration(elapsed).c_str(),
                 eta.c_str(), final_line ? "\n" : "");
    std::fflush(stderr);
  }

  void handle_stop_signal(int sig) {
    if (!stopping) {
      util::warn("received {}: stopping every task", sig == SIGINT ? "SIGINT" : sig == SIGTERM ? "SIGTERM" : "SIGHUP");
      stop_all(sig);
    } else {
      for (auto& l : live) runner.signal(l.pid, SIGKILL);  // a second signal: no more grace
    }
  }

  void launch_ready() {
    if (!accepting()) return;
    auto release = policy.next_release();
    if (!pick_needed && !(release && *release <= now())) return;
    pick_needed = false;
    for (uint32_t t : policy.pick(now())) launch(t);
  }

  // The periodic work (samples) comes after the freed capacity is used again: done between a
  // task's end and the next start, it would leave that capacity idle meanwhile. History rows are
  // written by their own thread for the same reason.
  void loop() {
    for (;;) {
      launch_ready();
      if (live.empty() && (!accepting() || policy.idle())) break;
      auto ex = runner.wait(wait_timeout());
      if (int sig = runner.take_stop_signal()) handle_stop_signal(sig);
      if (ex) {
        finished(*ex);
        launch_ready();
      }
      check_deadlines();
      if (now() >= next_sample) {
        if (!live.empty()) sample();
        next_sample = now() + opt.sample_interval_s;
      }
      if (opt.progress && now() >= next_progress) {
        progress_line(false);
        next_progress = now() + 0.5;
      }
    }
  }

  // On an error out of the loop: kill and reap every running attempt, keep what was measured.
  void abandon() noexcept {
    try {
      for (auto& l : live) runner.signal(l.pid, SIGKILL);
      double until = clock.monotonic() + 5;
      while (!live.empty() && clock.monotonic() < until)
        if (auto ex = runner.wait(0.5)) std::erase_if(live, [&ex](const Live& x) { return x.pid == ex->pid; });
    } catch (const std::exception& e) {
      util::warn("while stopping the tasks after an error: {}", e.what());
    }
    writer.reset();  // writes what is queued
    for (Observer* o : observers) {
      try {
        o->ended("failed", now());
      } catch (const std::exception& e) {
        util::warn("while ending the run's observers after an error: {}", e.what());
      }
    }
  }

  RunResult run() {
    t0 = clock.monotonic();
    host_load = runner.host_load();
    result.started_at = clock.wall();
    for (uint32_t t : policy.clamped()) result.clamped.push_back(wf.tasks[t].id);
    mark_resumed();
    emit("run_started", [&](io::Json& o, io::Alloc& a) {
      o.AddMember("run_id", io::str(opt.run_id, a), a);
      o.AddMember("tasks", static_cast<uint64_t>(dag.size()), a);
      o.AddMember("capacity_cpus", io::number(opt.capacity.cpus), a);
      o.AddMember("capacity_mem_bytes", io::number(opt.capacity.mem_bytes), a);
    });
    // Started here, so the thread inherits the signal mask the runner's Reaper set up.
    if (history) writer.emplace(*history, opt.history_batch_rows, opt.history_batch_s, opt.run_id);
    try {
      loop();
    } catch (...) {
      abandon();
      throw;
    }
    writer.reset();  // every row written before run() returns
    progress_line(true);
    finish_statuses();
    result.finished_at = clock.wall();
    result.status = stopping ? "interrupted" : failed_count > 0 || done_count < dag.size() ? "failed" : "succeeded";
    for (Observer* o : observers) o->ended(result.status, now());
    emit("run_finished", [&](io::Json& o, io::Alloc& a) {
      o.AddMember("run_id", io::str(opt.run_id, a), a);
      o.AddMember("status", io::str(result.status, a), a);
      o.AddMember("succeeded", static_cast<uint64_t>(done_count), a);
      o.AddMember("failed", static_cast<uint64_t>(failed_count), a);
    });
    return result;
  }

  void mark_resumed() {
    bool any = false;
    for (uint32_t t = 0; t < dag.size() && t < opt.done.size(); ++t) {
      if (!opt.done[t]) continue;
      any = true;
      result.tasks[t].status = "resumed";
      ++done_count;
      done_work += info[t].expected_s;
    }
    // Their children become ready exactly as if they had just run.
    if (any) policy.assume_done(opt.done);
  }

  // What never ran is `skipped` below a failure, else `not_started` (fail-fast, an interrupt). A
  // task whose retry never came (the run stopped first) ends as its last attempt did.
  void finish_statuses() {
    std::vector<char> blocked(dag.size(), 0);
    for (uint32_t t : dag.topo_order()) {
      auto& tr = result.tasks[t];
      if (tr.status == "not_started" && !tr.attempts.empty()) {
        tr.status = tr.attempts.back().status;
        ++failed_count;
      }
      if (tr.status != "not_started") {
        blocked[t] = is_failure(tr.status);
        continue;
      }
      for (uint32_t p : dag.parents(t)) blocked[t] = blocked[t] || blocked[p];
      if (blocked[t]) tr.status = "skipped";
    }
  }
};

Executor::Executor(const model::Workflow& wf, const model::Dag& dag, std::vector<schedule::TaskInfo> info, ExecutorOptions options,
                   Runner& runner, history::Store* history, Events& events, Journal* journal, util::Clock& clock)
    : impl_(std::make_unique<Impl>(wf, dag, std::move(info), std::move(options), runner, history, events, journal, clock)) {}

Executor::~Executor() = default;

void Executor::observe(Observer& observer) { impl_->observers.push_back(&observer); }

RunResult Executor::run() { return impl_->run(); }

}  // namespace wf::run
