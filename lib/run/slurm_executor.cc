#include "run/slurm_executor.h"

#include <algorithm>
#include <cmath>
#include <csignal>
#include <map>

#include <fmt/format.h>

#include "io/source.h"
#include "model/command.h"
#include "model/units.h"
#include "predict/estimate.h"
#include "run/slurm_jobs.h"
#include "run/slurm_outcome.h"
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

const char* signal_word(int sig) { return sig == SIGINT ? "SIGINT" : sig == SIGTERM ? "SIGTERM" : "SIGHUP"; }

}  // namespace

struct SlurmExecutor::Impl {
  enum class Phase { waiting, queued, running, ended };
  struct Task {
    Phase phase = Phase::waiting;
    std::string job;            // the current job
    int attempt = 1;            // the current job's attempt
    int first_attempt = 1;      // this invocation's first: retries are counted from it
    SlurmTaskDemand request;
    double end_seen = -1;       // monotonic: when squeue first showed the job ended or forgotten
    bool cancelled_by_wf = false;
    std::string unrun_status;   // what the task becomes if its cancelled job never ran
    std::string status;         // once ended
  };

  const model::Workflow& wf;
  const model::Dag& dag;
  SlurmExecutorOptions opt;
  SlurmClient& client;
  StopWaiter& waiter;
  history::Store* history;
  Events& events;
  SlurmJournal* journal;
  util::Clock& clock;
  std::vector<Task> tasks;
  JobIds ids;
  RunResult result;
  bool stopping = false, failed = false, accounting_on = true;
  double stop_deadline = 0;
  double unreachable_since = -1;  // monotonic: since when the cluster has not answered
  size_t done_count = 0, failed_count = 0;

  Impl(const model::Workflow& w, const model::Dag& d, std::vector<SlurmTaskDemand> demands, SlurmExecutorOptions o,
       SlurmClient& c, StopWaiter& wt, history::Store* h, Events& e, SlurmJournal* j, util::Clock& clk)
      : wf(w), dag(d), opt(std::move(o)), client(c), waiter(wt), history(h), events(e), journal(j), clock(clk),
        tasks(d.size()), ids(d.size()) {
    result.tasks.resize(dag.size());
    for (uint32_t t = 0; t < dag.size(); ++t) {
      tasks[t].request = demands[t];
      int before = t < opt.resume.size() ? opt.resume[t].attempts : 0;
      tasks[t].attempt = tasks[t].first_attempt = before + 1;
    }
  }

  bool succeeded(uint32_t t) const { return tasks[t].status == "succeeded" || tasks[t].status == "resumed"; }
  bool live(uint32_t t) const { return tasks[t].phase == Phase::queued || tasks[t].phase == Phase::running; }
  schedule::Demand reserved(const Task& s) const {
    return {std::max(1.0, std::ceil(s.request.cpus - 1e-9)), static_cast<double>(mem_mib(s.request.mem_bytes) << 20)};
  }

  std::string base_name(uint32_t t) const {
    return fmt::format("{:04}-{}.{}", t, safe_name(wf.tasks[t].id), tasks[t].attempt);
  }

  // Writes the batch script and hands it to sbatch; the task's current job becomes the new one.
  void submit(uint32_t t, int begin_in_s) {
    Task& s = tasks[t];
    const auto& task = wf.tasks[t];
    model::Command cmd = model::render_command(wf, task);
    TaskResult& tr = result.tasks[t];
    tr.command = model::display(cmd);
    schedule::Demand d = reserved(s);
    std::string base = base_name(t);
    BatchScript bs{opt.run_id, task.id, s.attempt, opt.workdir, cmd, static_cast<int>(d.cpus), static_cast<uint64_t>(d.mem_bytes)};
    std::string script = opt.script_dir + "/" + base + ".sh";
    io::write_output(script, batch_script(bs));
    JobRequest jr;
    jr.name = job_name(opt.run_id, task.id);
    jr.script_path = script;
    jr.workdir = opt.workdir;
    jr.out_path = tr.log_out = opt.log_dir + "/" + base + ".out";
    jr.err_path = tr.log_err = opt.log_dir + "/" + base + ".err";
    jr.partition = opt.partition;
    jr.reservation = opt.reservation;
    jr.cpus = static_cast<int>(d.cpus);
    jr.mem_mib = mem_mib(d.mem_bytes);
    if (s.request.time_limit_s) jr.time_min = time_minutes(*s.request.time_limit_s);
    for (uint32_t p : dag.parents(t))
      if (!succeeded(p) && live(p)) jr.after_ok.push_back(tasks[p].job);
    jr.begin_in_s = begin_in_s;
    s.job = submit_job(client, jr);
    s.phase = Phase::queued;
    s.end_seen = -1;
    s.cancelled_by_wf = false;
    ids[t].push_back(s.job);
    if (journal) journal->append({"started", task.id, s.attempt, s.job, "", ""});
    events.emit("task_submitted", [&](io::Json& o, io::Alloc& a) {
      o.AddMember("task", io::str(task.id, a), a);
      o.AddMember("attempt", s.attempt, a);
      o.AddMember("job_id", io::str(s.job, a), a);
      o.AddMember("cpus", io::number(d.cpus), a);
      o.AddMember("mem_bytes", io::number(d.mem_bytes), a);
      if (jr.time_min) o.AddMember("time_limit_s", *jr.time_min * 60, a);
      io::Json after(rapidjson::kArrayType);
      for (const auto& id : jr.after_ok) after.PushBack(io::str(id, a), a);
      o.AddMember("after", after, a);
    });
  }

  // Every task whose parents are submitted or done, in topological order; a task below a failure
  // is skipped. On a fresh run that is all of them, at once.
  void submit_all() {
    for (uint32_t t : dag.topo_order()) {
      if (tasks[t].phase != Phase::waiting) continue;
      bool blocked = false, parent_waits = false;
      for (uint32_t p : dag.parents(t)) {
        blocked = blocked || (tasks[p].phase == Phase::ended && !succeeded(p));
        parent_waits = parent_waits || tasks[p].phase == Phase::waiting;
      }
      if (blocked) end_unrun(t, "skipped");
      else if (!parent_waits) submit(t, 0);
    }
  }

  void end_unrun(uint32_t t, const std::string& status) {
    tasks[t].phase = Phase::ended;
    tasks[t].status = result.tasks[t].status = status;
  }

  // Marks live tasks cancelled by wf and cancels their jobs in one scancel. A task whose job never
  // ran becomes `unrun_status` once Slurm confirms the cancellation.
  void cancel(const std::vector<uint32_t>& which, const std::string& unrun_status) {
    std::vector<std::string> jobs;
    for (uint32_t t : which) {
      Task& s = tasks[t];
      if (s.phase == Phase::waiting) end_unrun(t, unrun_status);
      if (!live(t) || s.cancelled_by_wf) continue;
      s.cancelled_by_wf = true;
      s.unrun_status = unrun_status;
      jobs.push_back(s.job);
    }
    cancel_jobs(client, jobs);
  }

  std::vector<uint32_t> descendants(uint32_t t) const {
    std::vector<char> in(dag.size(), 0);
    std::vector<uint32_t> stack = {t}, out;
    while (!stack.empty()) {
      uint32_t u = stack.back();
      stack.pop_back();
      for (uint32_t c : dag.children(u))
        if (!in[c]) {
          in[c] = 1;
          stack.push_back(c);
        }
    }
    for (uint32_t u : dag.topo_order())
      if (in[u]) out.push_back(u);
    return out;
  }

  // A retry: the task again, and below it every task whose job waits on the failed one, against the
  // new job ids. Their old jobs are cancelled (Slurm may have done so already: kill_invalid_depend).
  // Descendants not yet submitted are left to submit_all(), which comes after.
  void resubmit_subtree(uint32_t t, int begin_in_s) {
    std::vector<uint32_t> below;
    std::vector<std::string> old_jobs;
    for (uint32_t d : descendants(t)) {
      if (tasks[d].phase != Phase::queued) continue;
      below.push_back(d);
      old_jobs.push_back(tasks[d].job);
      tasks[d].phase = Phase::waiting;
    }
    cancel_jobs(client, old_jobs);
    ++tasks[t].attempt;
    try {
      submit(t, begin_in_s);
      for (uint32_t d : below) submit(d, 0);
    } catch (const Error& e) {
      util::diag(util::Severity::error, fmt::format("task '{}': resubmission failed: {}", wf.tasks[t].id, e.what()));
      if (!live(t)) final_failure(t, "failed");
      for (uint32_t d : below)
        if (tasks[d].phase == Phase::waiting) end_unrun(d, "skipped");
    }
  }

  void final_failure(uint32_t t, const std::string& status) {
    Task& s = tasks[t];
    s.phase = Phase::ended;
    s.status = result.tasks[t].status = status;
    ++failed_count;
    if (status == "interrupted") return;
    failed = true;
    cancel(descendants(t), "skipped");
    if (!opt.keep_going) {
      std::vector<uint32_t> pending;
      for (uint32_t u = 0; u < dag.size(); ++u)
        if (tasks[u].phase == Phase::queued || tasks[u].phase == Phase::waiting) pending.push_back(u);
      cancel(pending, "not_started");
    }
  }

  void record_history(uint32_t t, const JobEnd& end, const AttemptResult& ar) {
    if (!history) return;
    const auto& task = wf.tasks[t];
    history::Execution e = end.measured;
    e.run_id = opt.run_id;
    e.workflow = opt.workflow_name;
    e.task_id = task.id;
    e.category = task.category;
    e.features = predict::task_features(wf, task);
    e.status = *history::parse_status(ar.status);
    e.attempt = tasks[t].attempt;
    if (!e.mem_reserved_bytes && ar.reserved.mem_bytes > 0) e.mem_reserved_bytes = static_cast<int64_t>(ar.reserved.mem_bytes);
    if (!e.cpus_reserved) e.cpus_reserved = ar.reserved.cpus;
    if (!e.runtime_s) e.runtime_s = ar.runtime_s;
    e.executor = "slurm";
    e.source.clear();
    try {
      history->record(e);
    } catch (const Error& err) {
      util::warn("history: {}", err.what());  // a lost history row must not fail the run
    }
  }

  void emit_end(const char* event, uint32_t t, const AttemptResult& ar, const JobEnd& end) {
    const Task& s = tasks[t];
    events.emit(event, [&](io::Json& o, io::Alloc& a) {
      o.AddMember("task", io::str(wf.tasks[t].id, a), a);
      o.AddMember("attempt", s.attempt, a);
      o.AddMember("job_id", io::str(s.job, a), a);
      o.AddMember("status", io::str(ar.status, a), a);
      o.AddMember("state", io::str(end.state, a), a);
      if (ar.exit_code) o.AddMember("exit_code", *ar.exit_code, a);
      if (ar.signal) o.AddMember("signal", ar.signal, a);
      o.AddMember("runtime_s", io::number(ar.runtime_s), a);
      o.AddMember("cpu_time_s", io::number(ar.cpu_time_s), a);
      o.AddMember("peak_rss_bytes", ar.peak_rss_bytes, a);
      o.AddMember("mem_reserved_bytes", io::number(ar.reserved.mem_bytes), a);
      if (!end.measured.host.empty()) o.AddMember("node", io::str(end.measured.host, a), a);
    });
  }

  void finish(uint32_t t, const JobEnd& end) {
    Task& s = tasks[t];
    const auto& task = wf.tasks[t];
    if (!end.started && s.cancelled_by_wf) {  // cancelled before it ran: no attempt
      end_unrun(t, s.unrun_status);
      return;
    }
    TaskResult& tr = result.tasks[t];
    schedule::Demand d = reserved(s);
    std::string tail = end.state == "COMPLETED" ? "" : file_tail(tr.log_err) + file_tail(tr.log_out);
    std::string status = attempt_status(end, d.mem_bytes, tail, s.cancelled_by_wf || stopping);
    AttemptResult ar = attempt_result(end, status, d);
    tr.attempts.push_back(ar);
    if (end.started) record_history(t, end, ar);
    std::string fp;
    if (status == "succeeded") {
      std::vector<std::string> inputs;
      for (const auto& f : task.inputs) inputs.push_back(f.path);
      fp = fingerprint(tr.command, inputs, opt.workdir);
    }
    if (journal) journal->append({"finished", task.id, s.attempt, s.job, status, fp});
    bool retryable = status == "failed" || status == "timeout" || status == "oom";
    bool retry = retryable && !stopping && !(failed && !opt.keep_going) && s.attempt - s.first_attempt < task.retries;
    emit_end(status == "succeeded" ? "task_finished" : retry ? "task_retried" : "task_failed", t, ar, end);
    if (retry) {
      retry_task(t, end, ar);
      return;
    }
    if (status == "succeeded") {
      s.phase = Phase::ended;
      s.status = tr.status = status;
      ++done_count;
      return;
    }
    if (status != "interrupted")
      util::diag(util::Severity::error, fmt::format("task '{}' {} (job {} {}, exit {}:{}) after {} attempt{}; log: {}", task.id, status,
                                                    s.job, end.state, ar.exit_code.value_or(0), ar.signal, tr.attempts.size(),
                                                    tr.attempts.size() == 1 ? "" : "s", tr.log_err));
    final_failure(t, status);
  }

  void retry_task(uint32_t t, const JobEnd& end, const AttemptResult& ar) {
    Task& s = tasks[t];
    const auto& task = wf.tasks[t];
    double backoff = std::min(60.0, opt.retry_backoff_s * std::pow(2.0, s.attempt - s.first_attempt));
    if (ar.status == "oom") {
      double before = ar.reserved.mem_bytes;
      s.request.mem_bytes = grown_memory(end, before, opt.memory_growth, opt.max_mem_bytes);
      util::note("task '{}' ran out of memory at {} (asked {}); retrying with {}", task.id,
                 model::format_bytes(static_cast<double>(ar.peak_rss_bytes)), model::format_bytes(before),
                 model::format_bytes(s.request.mem_bytes));
    } else {
      if (ar.status == "timeout" && s.request.time_from_forecast && s.request.time_limit_s) *s.request.time_limit_s *= 2;
      util::note("task '{}' {} (job {} {}); retrying in {}", task.id, ar.status, s.job, end.state, model::format_duration(backoff));
    }
    resubmit_subtree(t, static_cast<int>(std::ceil(backoff)));
  }

  // What ended since the last poll, from accounting (or slurmctld when there is none).
  std::map<std::string, JobEnd> ends_of(const std::vector<std::string>& jobs, const std::vector<std::string>& overdue) {
    std::map<std::string, JobEnd> ends;
    if (accounting_on) {
      AccountingResult acct = accounting(client, jobs);
      if (!acct.available) {
        accounting_on = false;
        util::warn("Slurm accounting storage is disabled: tasks are recorded without CPU time or memory");
      }
      ends = std::move(acct.ended);
    }
    // Without accounting, or where accounting is late: slurmctld's own record.
    std::vector<std::string> ask = accounting_on ? overdue : jobs;
    for (auto& [id, end] : scontrol_job_ends(client, ask)) ends.emplace(id, std::move(end));
    return ends;
  }

  // One look at the cluster: jobs that started, jobs that ended. True when anything changed.
  bool poll() {
    std::vector<std::string> jobs;
    for (uint32_t t = 0; t < dag.size(); ++t)
      if (live(t)) jobs.push_back(tasks[t].job);
    if (jobs.empty()) return false;
    auto queue = queue_states(client, jobs);
    double now = clock.monotonic();
    bool changed = false;
    std::vector<uint32_t> ended;
    std::vector<std::string> ended_jobs, overdue;
    for (uint32_t t : dag.topo_order()) {
      if (!live(t)) continue;
      Task& s = tasks[t];
      auto it = queue.find(s.job);
      if (it != queue.end() && !is_final_state(it->second.state)) {
        if (it->second.state == "RUNNING" && s.phase == Phase::queued) {
          s.phase = Phase::running;
          changed = true;
          events.emit("task_started", [&](io::Json& o, io::Alloc& a) {
            o.AddMember("task", io::str(wf.tasks[t].id, a), a);
            o.AddMember("attempt", s.attempt, a);
            o.AddMember("job_id", io::str(s.job, a), a);
            o.AddMember("node", io::str(it->second.node, a), a);
          });
        }
        continue;
      }
      if (s.end_seen < 0) s.end_seen = now;
      ended.push_back(t);
      ended_jobs.push_back(s.job);
      if (now - s.end_seen >= opt.accounting_wait_s) overdue.push_back(s.job);
    }
    if (ended.empty()) return changed;
    track_peaks();
    auto ends = ends_of(ended_jobs, overdue);
    for (size_t i = 0; i < ended.size(); ++i) {
      uint32_t t = ended[i];
      Task& s = tasks[t];
      if (!live(t) || s.job != ended_jobs[i]) continue;  // ended or resubmitted meanwhile
      auto it = ends.find(s.job);
      if (it == ends.end()) {
        if (now - s.end_seen < opt.accounting_wait_s) continue;  // accounting is late: next poll
        util::warn("job {} of task '{}' is known neither to squeue nor to accounting", s.job, wf.tasks[t].id);
        JobEnd lost;
        lost.state = "FAILED";
        lost.measured.status = history::Status::failed;
        it = ends.emplace(s.job, lost).first;
      }
      // Cancelled before it ran because a parent failed: the parent's outcome decides (it may be
      // retried, and this task resubmitted with it).
      bool parent_open = false;
      for (uint32_t p : dag.parents(t)) parent_open = parent_open || !succeeded(p);
      if (!it->second.started && it->second.state == "CANCELLED" && !s.cancelled_by_wf && parent_open) continue;
      finish(t, it->second);
      changed = true;
    }
    return changed;
  }

  void track_peaks() {
    double cpus = 0, mem = 0;
    for (uint32_t t = 0; t < dag.size(); ++t)
      if (tasks[t].phase == Phase::running) {
        auto d = reserved(tasks[t]);
        cpus += d.cpus;
        mem += d.mem_bytes;
      }
    result.peak_reserved_cpus = std::max(result.peak_reserved_cpus, cpus);
    result.peak_reserved_mem_bytes = std::max(result.peak_reserved_mem_bytes, mem);
  }

  void stop(int sig) {
    stopping = true;
    result.stop_signal = sig;
    stop_deadline = clock.monotonic() + opt.cancel_wait_s;
    util::warn("received {}: cancelling every job of the run", signal_word(sig));
    std::vector<uint32_t> all(dag.size());
    for (uint32_t t = 0; t < dag.size(); ++t) all[t] = t;
    cancel(all, "not_started");
  }

  void adopt_earlier_jobs() {
    for (uint32_t t = 0; t < dag.size() && t < opt.resume.size(); ++t) {
      const SlurmResume& r = opt.resume[t];
      if (r.done) {
        end_unrun(t, "resumed");
        ++done_count;
      } else if (!r.job_id.empty()) {
        tasks[t].job = r.job_id;
        tasks[t].phase = Phase::queued;
        ids[t].push_back(r.job_id);
        TaskResult& tr = result.tasks[t];
        tr.command = model::display(model::render_command(wf, wf.tasks[t]));
        tr.log_out = opt.log_dir + "/" + base_name(t) + ".out";
        tr.log_err = opt.log_dir + "/" + base_name(t) + ".err";
        util::note("following job {} of task '{}' left by the interrupted invocation", r.job_id, wf.tasks[t].id);
      }
    }
  }

  RunResult run() {
    result.started_at = clock.wall();
    adopt_earlier_jobs();
    events.emit("run_started", [&](io::Json& o, io::Alloc& a) {
      o.AddMember("run_id", io::str(opt.run_id, a), a);
      o.AddMember("tasks", static_cast<uint64_t>(dag.size()), a);
      o.AddMember("executor", "slurm", a);
      o.AddMember("partition", io::str(opt.partition, a), a);
      if (!opt.reservation.empty()) o.AddMember("reservation", io::str(opt.reservation, a), a);
    });
    poll();  // what the adopted jobs did meanwhile decides what the new ones depend on
    try {
      submit_all();
    } catch (const Error&) {
      std::vector<std::string> jobs;
      for (uint32_t t = 0; t < dag.size(); ++t)
        if (live(t)) jobs.push_back(tasks[t].job);
      cancel_jobs(client, jobs);
      throw;
    }
    double interval = opt.poll_min_s;
    for (;;) {
      bool any_live = false;
      for (uint32_t t = 0; t < dag.size(); ++t) any_live = any_live || live(t);
      if (!any_live) break;
      if (stopping && clock.monotonic() >= stop_deadline) break;
      if (int sig = waiter.wait(interval)) {
        if (stopping) break;  // a second signal: no more waiting for the cancellations
        stop(sig);
      }
      bool changed = false;
      try {
        changed = poll();
        if (!stopping && !(failed && !opt.keep_going)) submit_all();
        unreachable_since = -1;
      } catch (const Error& e) {
        // slurmctld restarting, slurmdbd busy: keep trying for a while before giving up.
        if (e.exit() != util::Exit::unavailable) throw;
        double now = clock.monotonic();
        if (unreachable_since < 0) {
          unreachable_since = now;
          util::warn("{}; trying again", e.what());
        }
        if (now - unreachable_since > opt.unreachable_timeout_s) throw;
      }
      track_peaks();
      interval = changed || stopping ? opt.poll_min_s : std::min(opt.poll_max_s, interval * 1.5);
    }
    finish_statuses();
    result.finished_at = clock.wall();
    result.status = stopping ? "interrupted" : failed_count > 0 || done_count < dag.size() ? "failed" : "succeeded";
    events.emit("run_finished", [&](io::Json& o, io::Alloc& a) {
      o.AddMember("run_id", io::str(opt.run_id, a), a);
      o.AddMember("status", io::str(result.status, a), a);
      o.AddMember("succeeded", static_cast<uint64_t>(done_count), a);
      o.AddMember("failed", static_cast<uint64_t>(failed_count), a);
    });
    return result;
  }

  // Tasks still open when the loop ended (a stop that outlived its wait): running ones were
  // interrupted, the rest never ran. Below a failure, what never ran is skipped.
  void finish_statuses() {
    std::vector<char> blocked(dag.size(), 0);
    for (uint32_t t : dag.topo_order()) {
      Task& s = tasks[t];
      if (s.phase != Phase::ended) end_unrun(t, s.phase == Phase::running ? "interrupted" : "not_started");
      for (uint32_t p : dag.parents(t)) blocked[t] = blocked[t] || blocked[p];
      std::string& st = result.tasks[t].status;
      if (st == "not_started" && blocked[t]) st = "skipped";
      if (st != "succeeded" && st != "resumed" && st != "not_started") blocked[t] = 1;
    }
  }
};

SlurmExecutor::SlurmExecutor(const model::Workflow& wf, const model::Dag& dag, std::vector<SlurmTaskDemand> demands,
                             SlurmExecutorOptions options, SlurmClient& client, StopWaiter& waiter, history::Store* history,
                             Events& events, SlurmJournal* journal, util::Clock& clock)
    : impl_(std::make_unique<Impl>(wf, dag, std::move(demands), std::move(options), client, waiter, history, events, journal,
                                   clock)) {}

SlurmExecutor::~SlurmExecutor() = default;

RunResult SlurmExecutor::run() { return impl_->run(); }

const JobIds& SlurmExecutor::job_ids() const { return impl_->ids; }

}  // namespace wf::run
