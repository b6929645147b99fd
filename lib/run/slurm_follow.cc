// The Slurm executor's following half: one look at the cluster per poll (squeue for the run's
// jobs, then accounting for those that ended), and what each end means for the task.
#include <algorithm>
#include <cmath>

#include <fmt/format.h>

#include "model/units.h"
#include "predict/estimate.h"
#include "run/slurm_executor_impl.h"
#include "run/slurm_outcome.h"
#include "util/log.h"
#include "util/strings.h"

namespace wf::run {

void SlurmExecutor::Impl::record_history(uint32_t t, const JobEnd& end, const AttemptResult& ar) {
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

void SlurmExecutor::Impl::emit_end(const char* event, uint32_t t, const AttemptResult& ar, const JobEnd& end) {
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

void SlurmExecutor::Impl::finish(uint32_t t, const JobEnd& end) {
  Task& s = tasks[t];
  const auto& task = wf.tasks[t];
  if (!end.started && s.cancelled_by_wf) {  // cancelled before it ran: no attempt
    end_unrun(t, s.unrun_status);
    return;
  }
  if (s.start_seen < 0) notify_started(t, clock.monotonic());  // ended between two polls
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
  for (Observer* o : observers) o->finished(t, s.attempt, ar, retry, clock.monotonic() - t0);
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

void SlurmExecutor::Impl::retry_task(uint32_t t, const JobEnd& end, const AttemptResult& ar) {
  Task& s = tasks[t];
  const auto& task = wf.tasks[t];
  double backoff = std::min(60.0, opt.retry_backoff_s * std::pow(2.0, s.attempt - s.first_attempt));
  if (ar.status == "oom") {
    double before = ar.reserved.mem_bytes;
    s.request.mem_bytes = grown_memory(end, before, opt.memory_growth, opt.max_mem_bytes);
    std::string peak = ar.peak_rss_bytes ? "at " + model::format_bytes(static_cast<double>(ar.peak_rss_bytes))
                                         : "(accounting measured no peak)";
    util::note("task '{}' ran out of memory {} (asked {}); retrying with {}", task.id, peak,
               before > 0 ? model::format_bytes(before) : "the site's default", model::format_bytes(s.request.mem_bytes));
  } else {
    if (ar.status == "timeout" && s.request.time_from_forecast && s.request.time_limit_s) *s.request.time_limit_s *= 2;
    util::note("task '{}' {} (job {} {}); retrying in {}", task.id, ar.status, s.job, end.state, model::format_duration(backoff));
  }
  resubmit_subtree(t, static_cast<int>(std::ceil(backoff)));
}

// What ended since the last poll, from accounting (or slurmctld when there is none).
std::map<std::string, JobEnd> SlurmExecutor::Impl::ends_of(const std::vector<std::string>& jobs, const std::vector<std::string>& overdue) {
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
  std::vector<std::string> ask;
  for (const auto& id : accounting_on ? overdue : jobs)
    if (!ends.count(id)) ask.push_back(id);
  for (auto& [id, end] : scontrol_job_ends(client, ask)) {
    if (accounting_on)
      util::warn("accounting has no final record of job {} after {} s; recorded without CPU time or memory", id,
                 util::format_number(opt.accounting_wait_s));
    ends.emplace(id, std::move(end));
  }
  return ends;
}

// One look at the cluster: jobs that started, jobs that ended. True when anything changed.
bool SlurmExecutor::Impl::poll() {
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
        notify_started(t, now);
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

void SlurmExecutor::Impl::track_peaks() {
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

RunState SlurmExecutor::Impl::state() const {
  RunState st;
  st.now_s = clock.monotonic() - t0;
  st.capacity = opt.capacity;
  st.total = dag.size();
  st.done = done_count;
  st.failed = failed_count;
  for (uint32_t t = 0; t < dag.size(); ++t) {
    if (tasks[t].phase == Phase::running) {
      ++st.running;
      auto d = reserved(tasks[t]);
      st.held.cpus += d.cpus;
      st.held.mem_bytes += d.mem_bytes;
    } else if (tasks[t].phase == Phase::queued) {
      ++st.ready;  // submitted, waiting for its dependencies or for room on the cluster
    }
  }
  return st;
}

// The start wf sees is squeue's first RUNNING, up to one poll interval after Slurm started the
// job: elapsed_s runs that much short, never long (a late alert rather than a false one).
void SlurmExecutor::Impl::notify_started(uint32_t t, double now_mono) {
  Task& s = tasks[t];
  s.start_seen = now_mono;
  for (Observer* o : observers) o->started(t, s.attempt, reserved(s), now_mono - t0);
}

// Only elapsed time is live on Slurm: RSS, CPU time and I/O stay 0 (unknown) until accounting
// has the job's end, which finished() carries.
void SlurmExecutor::Impl::observe_sample() {
  if (observers.empty()) return;
  double now = clock.monotonic();
  live_samples.clear();
  for (uint32_t t = 0; t < dag.size(); ++t) {
    const Task& s = tasks[t];
    if (s.phase != Phase::running || s.start_seen < 0) continue;
    LiveSample l;
    l.task = t;
    l.attempt = s.attempt;
    l.elapsed_s = now - s.start_seen;
    l.reserved = reserved(s);
    live_samples.push_back(l);
  }
  RunState st = state();
  for (Observer* o : observers) o->sampled(st, live_samples);
}

void SlurmExecutor::Impl::end_observers(const std::string& status) {
  if (observers_ended) return;
  observers_ended = true;
  double now_s = clock.monotonic() - t0;
  for (Observer* o : observers) o->ended(status, now_s);
}

}  // namespace wf::run
