// The Slurm executor's deciding half: submission in topological order, retries that resubmit the
// subtree, cancellation on failure or stop, resume, and the loop (slurm_follow.cc does the polling).
#include "run/slurm_executor.h"

#include <algorithm>
#include <cmath>
#include <csignal>
#include <map>

#include <fmt/format.h>

#include "io/source.h"
#include "model/command.h"
#include "run/slurm_executor_impl.h"
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

schedule::Demand SlurmExecutor::Impl::reserved(const Task& s) const {
  return {std::max(1.0, std::ceil(s.request.cpus - 1e-9)), static_cast<double>(mem_mib(s.request.mem_bytes) << 20)};
}

std::string SlurmExecutor::Impl::base_name(uint32_t t) const {
  return fmt::format("{:04}-{}.{}", t, safe_name(wf.tasks[t].id), tasks[t].attempt);
}

// Writes the batch script and hands it to sbatch; the task's current job becomes the new one.
void SlurmExecutor::Impl::submit(uint32_t t, int begin_in_s) {
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
  s.start_seen = -1;
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
void SlurmExecutor::Impl::submit_all() {
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

void SlurmExecutor::Impl::end_unrun(uint32_t t, const std::string& status) {
  tasks[t].phase = Phase::ended;
  tasks[t].status = result.tasks[t].status = status;
}

// Marks live tasks cancelled by wf and cancels their jobs in one scancel. A task whose job never
// ran becomes `unrun_status` once Slurm confirms the cancellation.
void SlurmExecutor::Impl::cancel(const std::vector<uint32_t>& which, const std::string& unrun_status) {
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

std::vector<uint32_t> SlurmExecutor::Impl::descendants(uint32_t t) const {
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
void SlurmExecutor::Impl::resubmit_subtree(uint32_t t, int begin_in_s) {
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

void SlurmExecutor::Impl::final_failure(uint32_t t, const std::string& status) {
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

void SlurmExecutor::Impl::stop(int sig) {
  stopping = true;
  result.stop_signal = sig;
  stop_deadline = clock.monotonic() + opt.cancel_wait_s;
  util::warn("received {}: cancelling every job of the run", signal_word(sig));
  std::vector<uint32_t> all(dag.size());
  for (uint32_t t = 0; t < dag.size(); ++t) all[t] = t;
  cancel(all, "not_started");
}

void SlurmExecutor::Impl::adopt_earlier_jobs() {
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

// Observers are ended on every way out; after an error, one of theirs does not hide it.
RunResult SlurmExecutor::Impl::run() {
  try {
    return run_loop();
  } catch (...) {
    try {
      end_observers("failed");
    } catch (const std::exception& e) {
      util::warn("while ending the run's observers after an error: {}", e.what());
    }
    throw;
  }
}

RunResult SlurmExecutor::Impl::run_loop() {
  t0 = clock.monotonic();
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
    observe_sample();
    interval = changed || stopping ? opt.poll_min_s : std::min(opt.poll_max_s, interval * 1.5);
  }
  finish_statuses();
  result.finished_at = clock.wall();
  result.status = stopping ? "interrupted" : failed_count > 0 || done_count < dag.size() ? "failed" : "succeeded";
  end_observers(result.status);
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
void SlurmExecutor::Impl::finish_statuses() {
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

SlurmExecutor::SlurmExecutor(const model::Workflow& wf, const model::Dag& dag, std::vector<SlurmTaskDemand> demands,
                             SlurmExecutorOptions options, SlurmClient& client, StopWaiter& waiter, history::Store* history,
                             Events& events, SlurmJournal* journal, util::Clock& clock)
    : impl_(std::make_unique<Impl>(wf, dag, std::move(demands), std::move(options), client, waiter, history, events, journal,
                                   clock)) {}

SlurmExecutor::~SlurmExecutor() = default;

void SlurmExecutor::observe(Observer& observer) { impl_->observers.push_back(&observer); }

RunResult SlurmExecutor::run() { return impl_->run(); }

const JobIds& SlurmExecutor::job_ids() const { return impl_->ids; }

}  // namespace wf::run
