#include "run/executor.h"

#include <algorithm>
#include <cmath>
#include <csignal>
#include <map>
#include <memory>

#include <sys/resource.h>
#include <unistd.h>

#include <fmt/format.h>

#include "model/command.h"
#include "model/units.h"
#include "predict/estimate.h"
#include "run/command.h"
#include "run/environment.h"
#include "run/machine.h"
#include "run/wait_status.h"
#include "util/log.h"
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
  return static_cast<double>(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) + (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
}

}  // namespace

struct Executor::Impl {
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
    uint64_t rss_at_half = 0;  // for telling growing memory from flat memory on a retry
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
  std::map<pid_t, Live> live;
  RunResult result;
  double t0 = 0;
  bool stopping = false, failed = false;
  double next_sample = 0, next_progress = 0;
  std::vector<pid_t> roots;
  std::vector<TaskUsage> usage;
  size_t done_count = 0, failed_count = 0;
  std::string host = host_name();
  Environment base_env = current_environment();

  Impl(const model::Workflow& w, const model::Dag& d, std::vector<schedule::TaskInfo> i, ExecutorOptions o, Runner& r,
       history::Store* h, Events& e, Journal* j, util::Clock& c)
      : wf(w), dag(d), opt(std::move(o)), runner(r), history(h), events(e), journal(j), clock(c),
        policy(d, i, o.capacity), info(std::move(i)), attempts(d.size(), 0) {
    policy.set_capacity(opt.capacity);
    result.tasks.resize(dag.size());
  }

  double now() const { return clock.monotonic() - t0; }

  void log_paths(uint32_t t, int attempt, std::string& out, std::string& err) const {
    std::string base = fmt::format("{}/{:04}-{}.{}", opt.log_dir, t, safe_name(wf.tasks[t].id), attempt);
    out = base + ".out";
    err = base + ".err";
  }

  void launch(uint32_t t) {
    const auto& task = wf.tasks[t];
    int attempt = ++attempts[t];
    model::Command cmd = model::render_command(wf, task);
    TaskResult& tr = result.tasks[t];
    tr.command = model::display(cmd);
    SpawnSpec spec;
    spec.argv = cmd.shell ? argv_for(cmd.script) : cmd.argv;
    spec.cwd = opt.workdir;
    spec.env = base_env;
    const schedule::Demand& d = policy.demand(t);
    set_env(spec.env, "WF_RUN_ID", opt.run_id);
    set_env(spec.env, "WF_TASK_ID", task.id);
    set_env(spec.env, "WF_ATTEMPT", std::to_string(attempt));
    set_env(spec.env, "WF_CPUS", util::format_number(d.cpus));
    set_env(spec.env, "WF_MEM", std::to_string(static_cast<uint64_t>(d.mem_bytes)));
    log_paths(t, attempt, spec.stdout_path, spec.stderr_path);
    tr.log_out = spec.stdout_path;
    tr.log_err = spec.stderr_path;
    Live l;
    l.task = t;
    l.attempt = attempt;
    l.reserved = d;
    l.start_mono = clock.monotonic();
    l.start_wall = clock.wall();
    if (task.timeout_s) l.deadline = l.start_mono + *task.timeout_s;
    l.pid = runner.start(spec);
    if (journal) journal->append({"started", task.id, attempt, l.pid, process_start_ticks(l.pid).value_or(0), "", ""});
    events.emit("task_started", [&](io::Json& o, io::Alloc& a) {
      o.AddMember("task", io::str(task.id, a), a);
      o.AddMember("attempt", attempt, a);
      o.AddMember("pid", l.pid, a);
      o.AddMember("cpus", io::number(d.cpus), a);
      o.AddMember("mem_bytes", io::number(d.mem_bytes), a);
      o.AddMember("reserved_cpus", io::number(policy.reserved().cpus), a);
      o.AddMember("reserved_mem_bytes", io::number(policy.reserved().mem_bytes), a);
      o.AddMember("capacity_cpus", io::number(policy.capacity().cpus), a);
      o.AddMember("capacity_mem_bytes", io::number(policy.capacity().mem_bytes), a);
    });
    result.peak_reserved_cpus = std::max(result.peak_reserved_cpus, policy.reserved().cpus);
    result.peak_reserved_mem_bytes = std::max(result.peak_reserved_mem_bytes, policy.reserved().mem_bytes);
    live.emplace(l.pid, l);
  }

  // A memory retry's reservation: grown from what was measured, not doubled. When the memory was
  // still rising at the kill, the task would have gone on growing for the rest of its expected
  // run: extrapolate (bounded); when it was flat, a modest margin over the peak is enough.
  double grown_memory(const Live& l, double elapsed) const {
    double peak = std::max<double>(static_cast<double>(l.peak_rss), l.reserved.mem_bytes);
    double factor = opt.memory_growth;
    double expected = info[l.task].expected_s;
    bool rising = l.rss_at_half > 0 && static_cast<double>(l.peak_rss) > 1.1 * static_cast<double>(l.rss_at_half);
    if (rising && expected > elapsed && elapsed > 0) factor = std::clamp(expected / elapsed, opt.memory_growth, 4.0);
    return std::min(std::ceil(peak * factor), opt.capacity.mem_bytes);
  }

  void record_history(const Live& l, const AttemptResult& ar) {
    if (!history) return;
    const auto& task = wf.tasks[l.task];
    history::Execution e;
    e.run_id = opt.run_id;
    e.workflow = opt.workflow_name;
    e.task_id = task.id;
    e.category = task.category;
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
    e.status = *history::parse_status(ar.status);
    e.attempt = l.attempt;
    e.mem_reserved_bytes = static_cast<int64_t>(l.reserved.mem_bytes);
    e.cpus_reserved = l.reserved.cpus;
    e.host = host;
    e.executor = opt.executor;
    try {
      history->record(e);
    } catch (const Error& err) {
      util::warn("history: {}", err.what());  // a lost history row must not fail the run
    }
  }

  void finished(const Exit& ex) {
    auto it = live.find(ex.pid);
    if (it == live.end()) return;  // an orphan we adopted as subreaper
    Live l = it->second;
    live.erase(it);
    const auto& task = wf.tasks[l.task];
    double end_mono = clock.monotonic();
    AttemptResult ar;
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
    bool sigkilled = killed_by_sigkill(ex.status) || ar.exit_code == 137;
    if (ar.exit_code == 0) ar.status = "succeeded";
    else if (l.interrupted) ar.status = "interrupted";
    else if (l.timed_out) ar.status = "timeout";
    else if (l.memory_killed || (sigkilled && l.reserved.mem_bytes > 0 && static_cast<double>(ar.peak_rss_bytes) >= 0.9 * l.reserved.mem_bytes))
      ar.status = "oom";
    else ar.status = "failed";
    TaskResult& tr = result.tasks[l.task];
    tr.attempts.push_back(ar);
    record_history(l, ar);
    std::string fp;
    if (ar.status == "succeeded") {
      std::vector<std::string> inputs;
      for (const auto& f : task.inputs) inputs.push_back(f.path);
      fp = fingerprint(tr.command, inputs, opt.workdir);
    }
    if (journal) journal->append({"finished", task.id, l.attempt, l.pid, 0, ar.status, fp});
    bool retry = ar.status != "succeeded" && ar.status != "interrupted" && !stopping && l.attempt <= task.retries;
    events.emit(ar.status == "succeeded" ? "task_finished" : retry ? "task_retried" : "task_failed", [&](io::Json& o, io::Alloc& a) {
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
      o.AddMember("mem_reserved_bytes", io::number(l.reserved.mem_bytes), a);
    });
    if (retry) {
      schedule::Demand next = l.reserved;
      if (ar.status == "oom") next.mem_bytes = grown_memory(l, ar.runtime_s);
      double backoff = std::min(60.0, opt.retry_backoff_s * std::pow(2.0, l.attempt - 1));
      if (ar.status == "oom")
        util::note("task '{}' ran out of memory at {} (reserved {}); retrying with {}", task.id,
                   model::format_bytes(static_cast<double>(ar.peak_rss_bytes)), model::format_bytes(l.reserved.mem_bytes),
                   model::format_bytes(next.mem_bytes));
      else
        util::note("task '{}' {} ({}); retrying in {}", task.id, ar.status, describe_status(ex.status), model::format_duration(backoff));
      policy.requeue(l.task, next, now() + backoff);
      return;
    }
    policy.finish(l.task, ar.status == "succeeded", now());
    tr.status = ar.status;
    if (ar.status == "succeeded") {
      ++done_count;
    } else {
      ++failed_count;
      if (ar.status != "interrupted") {
        failed = true;
        util::diag(util::Severity::error, fmt::format("task '{}' {} ({}) after {} attempt{}; log: {}", task.id, ar.status,
                                                      describe_status(ex.status), l.attempt, l.attempt == 1 ? "" : "s", tr.log_err));
      }
    }
  }

  void sample() {
    roots.clear();
    for (const auto& [pid, l] : live) roots.push_back(pid);
    double before = self_cpu_s();
    runner.sample(roots, usage);
    result.sampling_cpu_s += self_cpu_s() - before;
    ++result.samples;
    uint64_t total_rss = 0;
    double now_mono = clock.monotonic();
    for (size_t i = 0; i < roots.size(); ++i) {
      Live& l = live[roots[i]];
      const TaskUsage& u = usage[i];
      l.peak_rss = std::max(l.peak_rss, u.rss_bytes);
      l.cpu_s = std::max(l.cpu_s, u.cpu_s);
      l.read_bytes = std::max(l.read_bytes, u.read_bytes);
      l.write_bytes = std::max(l.write_bytes, u.write_bytes);
      total_rss += u.rss_bytes;
      double expected = info[l.task].expected_s;
      if (l.rss_at_half == 0 && expected > 0 && now_mono - l.start_mono >= expected / 2) l.rss_at_half = std::max<uint64_t>(1, u.rss_bytes);
      if (l.rss_at_half == 0 && now_mono - l.start_mono >= 1.0) l.rss_at_half = std::max<uint64_t>(1, u.rss_bytes);
      if (opt.enforce_memory && !l.memory_killed && l.reserved.mem_bytes > 0 && static_cast<double>(u.rss_bytes) > l.reserved.mem_bytes) {
        l.memory_killed = true;
        runner.signal(l.pid, SIGKILL);
      }
    }
    result.peak_rss_bytes = std::max(result.peak_rss_bytes, total_rss);
    events.emit("usage", [&](io::Json& o, io::Alloc& a) {
      o.AddMember("running", static_cast<uint64_t>(live.size()), a);
      o.AddMember("rss_bytes", total_rss, a);
      o.AddMember("reserved_cpus", io::number(policy.reserved().cpus), a);
      o.AddMember("reserved_mem_bytes", io::number(policy.reserved().mem_bytes), a);
    });
  }

  void check_deadlines() {
    double m = clock.monotonic();
    for (auto& [pid, l] : live) {
      if (l.deadline && !l.timed_out && m >= *l.deadline) {
        l.timed_out = true;
        runner.signal(pid, SIGTERM);
        l.kill_at = m + opt.kill_grace_s;
        util::warn("task '{}' passed its timeout of {}; stopping it", wf.tasks[l.task].id, model::format_duration(*wf.tasks[l.task].timeout_s));
      }
      if (l.kill_at && m >= *l.kill_at) {
        runner.signal(pid, SIGKILL);
        l.kill_at.reset();
      }
    }
  }

  void stop_all(int sig) {
    stopping = true;
    result.stop_signal = sig;
    double m = clock.monotonic();
    for (auto& [pid, l] : live) {
      l.interrupted = true;
      runner.signal(pid, SIGTERM);
      l.kill_at = m + opt.kill_grace_s;
    }
  }

  double wait_timeout() const {
    double m = now();
    double t = std::max(0.0, next_sample - m);
    if (auto r = policy.next_release()) t = std::min(t, std::max(0.0, *r - m));
    double mono = clock.monotonic();
    for (const auto& [pid, l] : live) {
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
    if (done_count > 0 && done_count < dag.size()) {
      // Remaining expected work over the parallelism achieved so far.
      double done_work = 0, left_work = 0;
      for (uint32_t t = 0; t < dag.size(); ++t) (result.tasks[t].status == "succeeded" ? done_work : left_work) += info[t].expected_s;
      if (done_work > 0) eta = fmt::format(", ETA {}", model::format_duration(elapsed * left_work / done_work));
    }
    std::fprintf(stderr, "\r\033[K%s: %zu/%zu done, %zu running, %zu failed, %s elapsed%s%s", util::program_name().c_str(),
                 done_count, static_cast<size_t>(dag.size()), live.size(), failed_count, model::format_duration(elapsed).c_str(),
                 eta.c_str(), final_line ? "\n" : "");
    std::fflush(stderr);
  }

  RunResult run() {
    t0 = clock.monotonic();
    result.started_at = clock.wall();
    for (uint32_t t : policy.clamped()) result.clamped.push_back(wf.tasks[t].id);
    mark_resumed();
    events.emit("run_started", [&](io::Json& o, io::Alloc& a) {
      o.AddMember("run_id", io::str(opt.run_id, a), a);
      o.AddMember("tasks", static_cast<uint64_t>(dag.size()), a);
      o.AddMember("capacity_cpus", io::number(opt.capacity.cpus), a);
      o.AddMember("capacity_mem_bytes", io::number(opt.capacity.mem_bytes), a);
    });
    next_sample = 0;
    for (;;) {
      if (!stopping && !(failed && !opt.keep_going))
        for (uint32_t t : policy.pick(now())) launch(t);
      if (live.empty() && (stopping || (failed && !opt.keep_going) || policy.idle())) break;
      if (live.empty() && policy.running() == 0 && policy.ready() == 0) break;
      auto ex = runner.wait(wait_timeout());
      if (int sig = runner.take_stop_signal()) {
        if (!stopping) {
          util::warn("received {}: stopping every task", sig == SIGINT ? "SIGINT" : sig == SIGTERM ? "SIGTERM" : "SIGHUP");
          stop_all(sig);
        } else {
          for (auto& [pid, l] : live) runner.signal(pid, SIGKILL);  // a second signal: no more grace
        }
      }
      if (ex) finished(*ex);
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
    progress_line(true);
    finish_statuses();
    result.finished_at = clock.wall();
    result.status = stopping ? "interrupted" : failed_count > 0 || done_count < count_to_run() ? "failed" : "succeeded";
    events.emit("run_finished", [&](io::Json& o, io::Alloc& a) {
      o.AddMember("run_id", io::str(opt.run_id, a), a);
      o.AddMember("status", io::str(result.status, a), a);
      o.AddMember("succeeded", static_cast<uint64_t>(done_count), a);
      o.AddMember("failed", static_cast<uint64_t>(failed_count), a);
    });
    return result;
  }

  size_t count_to_run() const { return dag.size(); }

  void mark_resumed() {
    bool any = false;
    for (uint32_t t = 0; t < dag.size(); ++t) any = any || (t < opt.done.size() && opt.done[t]);
    if (!any) return;
    for (uint32_t t = 0; t < dag.size(); ++t) {
      if (!opt.done[t]) continue;
      result.tasks[t].status = "resumed";
      ++done_count;
    }
    // Their children become ready exactly as if they had just run.
    policy.assume_done(opt.done);
  }

  void finish_statuses() {
    // What never ran: below a failure (skipped) or never reached (not_started).
    std::vector<char> blocked(dag.size(), 0);
    for (uint32_t t : dag.topo_order()) {
      auto& tr = result.tasks[t];
      if (tr.status != "not_started") {
        if (tr.status != "succeeded" && tr.status != "resumed") blocked[t] = 1;
        continue;
      }
      for (uint32_t p : dag.parents(t)) blocked[t] = blocked[t] || blocked[p];
      if (blocked[t]) tr.status = "skipped";
      if (stopping && !blocked[t]) tr.status = "not_started";
    }
  }
};

Executor::Executor(const model::Workflow& wf, const model::Dag& dag, std::vector<schedule::TaskInfo> info, ExecutorOptions options,
                   Runner& runner, history::Store* history, Events& events, Journal* journal, util::Clock& clock)
    : impl_(std::make_unique<Impl>(wf, dag, std::move(info), std::move(options), runner, history, events, journal, clock)) {}

Executor::~Executor() = default;

RunResult Executor::run() { return impl_->run(); }

}  // namespace wf::run
