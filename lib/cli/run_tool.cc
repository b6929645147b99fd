// wf-run: execute the workflow on this machine, measure every task, remember it in history.
#include <pthread.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <condition_variable>
#include <mutex>
#include <thread>
#include <algorithm>
#include <chrono>
#include <cerrno>
#include <csignal>
#include <cstring>
#include <filesystem>
#include <random>
#include <unordered_map>

#include "analyze/validate.h"
#include "cli/params.h"
#include "cli/run_alerts.h"
#include "cli/run_id.h"
#include "cli/tool.h"
#include "cli/run_slurm.h"
#include "control/feedback.h"
#include "control/feedback_json.h"
#include "predict/forecast.h"
#include "provider/heartbeat.h"
#include "provider/ledger.h"
#include "provider/paths.h"
#include "provider/registry.h"
#include "history/paths.h"
#include "history/store.h"
#include "io/source.h"
#include "model/command.h"
#include "model/units.h"
#include "run/executor.h"
#include "util/machine.h"
#include "run/run_json.h"
#include "util/dirs.h"
#include "util/log.h"
#include "util/strings.h"

namespace wf::cli {
namespace {

namespace fs = std::filesystem;

struct RunOptions {
  CommonOptions common;
  std::vector<std::string> params;
  std::string cpus, mem;
  std::string run_root;
  std::string workdir;
  std::string resume;
  std::string events;
  std::string history;
  bool no_history = false;
  double sample_interval_s = 0.5;
  bool enforce_memory = false;
  bool keep_going = false;
  double retry_backoff_s = 1;
  std::string progress = "auto";
  std::string executor = "local";
  SlurmRunOptions slurm;
  AlertCli alerts;
  std::string ledger;
  std::string feedback = "off";
  control::Policy feedback_policy;
  std::string feedback_max_cpus, feedback_max_mem;
};

// A trace's tasks (WfFormat) carry measurements but no command: there is nothing to run.
void refuse_commandless(const io::Document& doc) {
  const auto& wf = doc.workflow();
  std::vector<std::string> problems;
  for (size_t i = 0; i < wf.tasks.size(); ++i) {
    const auto& t = wf.tasks[i];
    bool none = t.run.shell ? util::trim(t.run.script).empty() : t.run.argv.empty();
    if (none && problems.size() < 5)
      problems.push_back(fmt::format("{}: task '{}' has no command (a recorded trace task): wf-run has nothing to run; "
                                     "forecast it with wf-predict --use-recorded instead",
                                     doc.locator().where(doc.task_pointer(i)), t.id));
  }
  if (!problems.empty()) throw Errors(util::Exit::data, std::move(problems));
}

// Renews what wf-provision created for this run (the lease and its ledger rows) while the run
// goes on, from a thread of its own with its own ledger connection. The thread blocks the stop
// signals and SIGCHLD, so they always reach the main thread's wait.
class LeaseKeeper {
 public:
  LeaseKeeper(const io::Json* provision, const std::string& ledger_flag) {
    if (!provision) return;
    ids_ = provider::provision_ids(*provision);
    if (ids_.empty()) return;
    ledger_path_ = provider::resolve_ledger_path(ledger_flag.empty() ? std::nullopt : std::optional(ledger_flag));
    // The thread is born with the stop signals and SIGCHLD blocked (a thread inherits its
    // creator's mask), so no signal can land in it even before loop() starts.
    sigset_t set, old;
    sigemptyset(&set);
    for (int sig : {SIGINT, SIGTERM, SIGHUP, SIGCHLD}) sigaddset(&set, sig);
    pthread_sigmask(SIG_BLOCK, &set, &old);
    thread_ = std::thread([this] { loop(); });
    pthread_sigmask(SIG_SETMASK, &old, nullptr);
  }
  ~LeaseKeeper() {
    if (!thread_.joinable()) return;
    {
      std::lock_guard lock(mutex_);
      stop_ = true;
    }
    cv_.notify_all();
    thread_.join();
  }

 private:
  void loop() {
    try {
      provider::Ledger ledger = provider::Ledger::open(ledger_path_);
      provider::ProviderConfig config;
      config.pool.scratch_root = provider::resolve_scratch_root(std::nullopt, ledger_path_);
      provider::Providers providers(ledger, config);
      provider::Heartbeat heartbeat(ledger, &providers.pool(), ids_);
      std::unique_lock lock(mutex_);
      while (!stop_) {
        lock.unlock();
        for (const auto& lost : heartbeat.tick()) util::warn("provisioned capacity lost: {}", lost);
        lock.lock();
        cv_.wait_for(lock, std::chrono::duration<double>(std::clamp(heartbeat.interval_s() / 4, 0.2, 30.0)), [this] { return stop_; });
      }
    } catch (const std::exception& e) {
      util::warn("cannot renew the provisioned capacity: {}", e.what());
    }
  }

  std::vector<std::string> ids_;
  std::string ledger_path_;
  std::thread thread_;
  std::mutex mutex_;
  std::condition_variable cv_;
  bool stop_ = false;
};

// In-run feedback (wf-run(1), FEEDBACK): the controller, and the resizer of what wf-provision
// made. What is missing (a prediction, a provision section, a single resource to resize) is said
// on stderr and the controller does what it still can; it never fails the run.
struct FeedbackSetup {
  std::unique_ptr<control::ThreadedResizer> resizer;
  std::unique_ptr<control::Feedback> controller;
};

schedule::Capacity feedback_ceiling(const RunOptions& o, const schedule::Capacity& initial) {
  schedule::Capacity max{std::max(util::machine_cpus(), initial.cpus),
                         std::max(static_cast<double>(util::machine_available_mem_bytes()), initial.mem_bytes)};
  std::string why;
  if (!o.feedback_max_cpus.empty()) {
    auto v = model::parse_cpus(o.feedback_max_cpus, &why);
    if (!v || *v <= 0) fail(util::Exit::usage, "--feedback-max-cpus: {}", why.empty() ? "must be positive" : why);
    max.cpus = *v;
  }
  if (!o.feedback_max_mem.empty()) {
    auto v = model::parse_bytes(o.feedback_max_mem, &why);
    if (!v || *v == 0) fail(util::Exit::usage, "--feedback-max-mem: {}", why.empty() ? "must be positive" : why);
    max.mem_bytes = static_cast<double>(*v);
  }
  return max;
}

// The one ledger resource a resize applies to: the local lease, else the only resource listed.
std::optional<std::string> resizable_resource(const io::Json& provision) {
  if (auto lease = io::get_string(provision, "lease")) return std::string(*lease);
  auto ids = provider::provision_ids(provision);
  if (ids.size() == 1) return ids.front();
  return std::nullopt;
}

FeedbackSetup make_feedback(const io::Document& doc, const model::Dag& dag, const RunOptions& o, const std::vector<schedule::TaskInfo>& info,
                            const schedule::Capacity& initial, run::Events& events) {
  FeedbackSetup f;
  control::Mode mode = *control::parse_mode(o.feedback);
  if (mode == control::Mode::off) return f;
  const auto& wf = doc.workflow();
  std::vector<predict::Estimate> estimates;
  if (const io::Json* pred = doc.section("prediction")) {
    estimates = predict::estimates_from_json(*pred, wf);
  } else {
    util::note("feedback: the document has no prediction section: usage is compared with the tasks' own hints "
               "(pipe the workflow through wf-predict for a forecast learned from history)");
    for (const auto& t : wf.tasks) estimates.push_back(predict::hint_estimate(t));
  }
  control::Policy policy = o.feedback_policy;
  policy.max = feedback_ceiling(o, initial);
  // The background the forecast shared the CPUs with: the re-forecasts share them alike.
  if (const io::Json* pred = doc.section("prediction")) policy.background = predict::background_from_json(*pred);
  if (mode == control::Mode::resize) {
    const io::Json* prov = doc.section("provision");
    std::optional<std::string> id = prov ? resizable_resource(*prov) : std::nullopt;
    if (!prov) {
      util::note("feedback: no provision section: nothing to resize at a provider; the capacity this run schedules into "
                 "follows the decisions (at most {} cpus, {})", util::format_number(policy.max.cpus), model::format_bytes(policy.max.mem_bytes));
    } else if (!id) {
      util::note("feedback: the provision section lists no single resource to resize: decisions are reported only");
      mode = control::Mode::observe;
    } else {
      std::string ledger = provider::resolve_ledger_path(o.ledger.empty() ? std::nullopt : std::optional(o.ledger));
      std::string provider_name = "provider";
      if (auto p = io::get_string(*prov, "provider")) provider_name = *p;
      f.resizer = std::make_unique<control::ThreadedResizer>(control::provision_resize(ledger, *id),
                                                             fmt::format("{} {} {}", provider_name, *id, ledger));
    }
  }
  f.controller = std::make_unique<control::Feedback>(wf, dag, info, std::move(estimates), initial, mode, policy, f.resizer.get(), events);
  return f;
}

std::string run_root(const RunOptions& o) {
  if (!o.run_root.empty()) return o.run_root;
  if (const char* env = std::getenv("WF_RUN_ROOT"); env && *env) return env;
  return ".wf/runs";
}

// A run id becomes a directory name, a ledger owner and a word in batch scripts: it must be a
// safe name (provider::is_run_id), whoever gave it — a flag or a document from elsewhere.
void check_run_id(const std::string& id, const std::string& where) {
  auto shown = [&id] {  // control characters escaped, so the message stays one line
    std::string out;
    for (unsigned char c : id.substr(0, 80)) out += c < 0x20 || c == 0x7f ? fmt::format("\\x{:02x}", c) : std::string(1, static_cast<char>(c));
    return id.size() > 80 ? out + "..." : out;
  };
  if (!provider::is_run_id(id))
    fail(where == "--resume" ? util::Exit::usage : util::Exit::data,
         "{}: run id '{}' is not a safe name (letters, digits and ._:@+=,- only, not starting with '.' or '-', no '..', at most 200)",
         where, shown());
}

// One wf-run per run directory at a time: a second one (a double resume) gets exit 75.
int lock_run_dir(const std::string& dir) {
  std::string path = dir + "/lock";
  int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0) fail(util::Exit::cant_create, "{}: cannot create: {}", path, std::strerror(errno));
  if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
    ::close(fd);
    fail(util::Exit::temp, "run directory {} is in use by another wf-run", dir);
  }
  return fd;
}

struct Capacity {
  schedule::Capacity capacity;
  std::string source;
};

Capacity capacity_for(const io::Document& doc, const RunOptions& o) {
  Capacity c{{util::machine_cpus(), static_cast<double>(util::machine_available_mem_bytes())}, "machine"};
  if (const io::Json* prov = doc.section("provision")) {
    if (auto cpus = io::get_number(*prov, "cpus")) c.capacity.cpus = *cpus;
    if (auto mem = io::get_number(*prov, "mem_bytes")) c.capacity.mem_bytes = *mem;
    c.source = "provision";
  }
  std::string why;
  if (!o.cpus.empty()) {
    auto v = model::parse_cpus(o.cpus, &why);
    if (!v || *v <= 0) fail(util::Exit::usage, "--cpus: {}", why.empty() ? "must be positive" : why);
    c.capacity.cpus = *v;
    c.source = "flags";
  }
  if (!o.mem.empty()) {
    auto v = model::parse_bytes(o.mem, &why);
    if (!v || *v == 0) fail(util::Exit::usage, "--mem: {}", why.empty() ? "must be positive" : why);
    c.capacity.mem_bytes = static_cast<double>(*v);
    c.source = "flags";
  }
  return c;
}

// What each task reserves and how long it is expected to take: the forecast's p95 (and p50
// duration) where the document has a prediction, else the task's hints, else 1 cpu and no memory.
std::vector<schedule::TaskInfo> task_info(const io::Document& doc) {
  const auto& wf = doc.workflow();
  std::unordered_map<std::string_view, const io::Json*> predicted;
  if (const io::Json* pred = doc.section("prediction"))
    if (const io::Json* tasks = io::get(*pred, "tasks"); tasks && tasks->IsArray())
      for (const auto& t : tasks->GetArray())
        if (auto id = io::get_string(t, "id")) predicted[*id] = &t;
  auto quantile = [](const io::Json* entry, const char* measure, const char* q) -> std::optional<double> {
    if (!entry) return std::nullopt;
    const io::Json* m = io::get(*entry, measure);
    return m ? io::get_number(*m, q) : std::nullopt;
  };
  std::vector<schedule::TaskInfo> info;
  info.reserve(wf.tasks.size());
  for (const auto& t : wf.tasks) {
    auto it = predicted.find(t.id);
    const io::Json* p = it == predicted.end() ? nullptr : it->second;
    schedule::TaskInfo ti;
    // The forecast's p95 first, as the simulator reserves it, so the schedule that runs is the
    // one that was forecast; then the hint.
    if (auto c = quantile(p, "cpus", "p95")) ti.demand.cpus = schedule::cpu_reservation(*c);
    else ti.demand.cpus = t.hints.cpus.value_or(1.0);
    if (auto m = quantile(p, "mem_bytes", "p95")) ti.demand.mem_bytes = *m;
    else if (t.hints.mem_bytes) ti.demand.mem_bytes = static_cast<double>(*t.hints.mem_bytes);
    ti.expected_s = quantile(p, "runtime_s", "p50").value_or(t.hints.duration_s.value_or(t.recorded.runtime_s.value_or(1.0)));
    ti.priority = t.priority;
    info.push_back(ti);
  }
  return info;
}

// What a resumed run takes over from the invocations before it (read from the journal).
struct Resume {
  std::vector<char> done;          // succeeded with the same command and inputs, and so did every task it needs
  std::vector<int> prior_attempts;  // the highest attempt number started, per task
  std::vector<std::pair<uint32_t, run::JournalEntry>> ended;  // every ended attempt with its measurement
};

// Stops the processes of attempts that were running when the earlier invocation died (kill -9):
// those whose pid still names the process it started (see still_running). Waits until they are gone.
void stop_leftovers(const std::unordered_map<std::string, run::JournalEntry>& open_attempts) {
  std::vector<pid_t> stopped;
  for (const auto& [key, e] : open_attempts) {
    if (run::still_running(e)) {
      util::note("stopping task '{}' (pid {}) left running by the interrupted invocation", e.task, e.pid);
      ::kill(-e.pid, SIGKILL);
      ::kill(e.pid, SIGKILL);  // in case it left its group
      stopped.push_back(e.pid);
    }
  }
  for (int i = 0; i < 200 && !stopped.empty(); ++i) {
    std::erase_if(stopped, [](pid_t pid) { return !run::process_start_ticks(pid); });  // gone or a zombie
    if (!stopped.empty()) ::usleep(10'000);
  }
}

// What succeeded before with the same command and inputs is done — unless a task it needs is not
// (that one runs again, so everything below it must too).
Resume resume_state(const io::Document& doc, const model::Dag& dag, const std::string& journal_path, const std::string& workdir) {
  const auto& wf = doc.workflow();
  std::unordered_map<std::string_view, uint32_t> index;
  for (uint32_t i = 0; i < wf.tasks.size(); ++i) index.emplace(wf.tasks[i].id, i);
  Resume r{std::vector<char>(wf.tasks.size(), 0), std::vector<int>(wf.tasks.size(), 0), {}};
  std::unordered_map<std::string, run::JournalEntry> open_attempts;
  // No journal: the invocation before was stopped between saving the document and opening it,
  // so nothing of this run ever started. The run starts from the beginning.
  if (::access(journal_path.c_str(), F_OK) != 0 && errno == ENOENT) {
    util::note("--resume: {} has no journal (nothing had started): running every task", journal_path);
    return r;
  }
  for (auto& e : run::Journal::read(journal_path)) {
    auto it = index.find(e.task);
    if (it != index.end()) r.prior_attempts[it->second] = std::max(r.prior_attempts[it->second], e.attempt);
    std::string key = fmt::format("{}#{}", e.task, e.attempt);
    if (e.event == "started") {
      open_attempts[key] = e;
      continue;
    }
    open_attempts.erase(key);
    if (it == index.end()) continue;
    uint32_t t = it->second;
    r.done[t] = 0;
    if (e.status == "succeeded") {
      std::vector<std::string> inputs;
      for (const auto& f : wf.tasks[t].inputs) inputs.push_back(f.path);
      if (run::fingerprint(model::display(model::render_command(wf, wf.tasks[t])), inputs, workdir) == e.fingerprint) r.done[t] = 1;
    }
    if (e.result && e.attempt >= 1) r.ended.emplace_back(t, std::move(e));
  }
  for (uint32_t t : dag.topo_order())
    for (uint32_t p : dag.parents(t)) r.done[t] = r.done[t] && r.done[p];
  stop_leftovers(open_attempts);
  return r;
}

// History rows of the earlier invocations that did not reach the store (wf-run was killed before
// its batch was written, or the store was busy): recorded now; rows already there stay as they are.
void record_missing_rows(history::Store& store, const model::Workflow& wf, const Resume& resume, const run::RowContext& ctx) {
  std::vector<history::Execution> rows;
  for (const auto& [t, e] : resume.ended) {
    rows.push_back(run::history_row(wf, wf.tasks[t], e.attempt, *e.result, ctx));
    if (history::find_problem(rows.back())) rows.pop_back();
  }
  if (rows.empty()) return;
  try {
    auto added = store.record_batch(rows).added;
    if (added > 0) util::note("recorded {} execution{} of the interrupted invocation into history", added, added == 1 ? "" : "s");
  } catch (const Error& e) {
    util::warn("history: {}", e.what());
  }
}

int run_run(const RunOptions& o, const Output& out) {
  util::set_quiet(o.common.quiet);
  std::string run_id, run_dir;
  io::Document doc = [&] {
    if (o.resume.empty()) return io::Document::load(o.common.input);
    check_run_id(o.resume, "--resume");
    run_dir = run_root(o) + "/" + o.resume;
    std::string saved = run_dir + "/document.json";
    if (::access(saved.c_str(), R_OK) != 0)
      fail(util::Exit::no_input, "--resume {}: no run directory at {} (see --run-root)", o.resume, run_dir);
    return io::Document::load(saved);
  }();
  apply_params(doc, o.params);
  model::Dag dag = analyze::checked_dag(doc);
  const auto& wf = doc.workflow();
  refuse_commandless(doc);
  // A run wf-provision prepared takes the id its resources are owned by, so wf-reap finds them.
  std::string provisioned_id;
  if (const io::Json* prov = doc.section("provision"))
    if (auto id = io::get_string(*prov, "run_id")) {
      provisioned_id = *id;
      if (o.resume.empty()) check_run_id(provisioned_id, fmt::format("{}: provision.run_id", o.common.input.empty() ? "<stdin>" : o.common.input));
    }
  run_id = !o.resume.empty() ? o.resume : !provisioned_id.empty() ? provisioned_id : new_run_id(wf.name);
  if (run_dir.empty()) run_dir = run_root(o) + "/" + run_id;
  // 0700: a run directory holds every command, the journal and the tasks' output (tokens, maybe).
  util::make_private_dirs(run_dir + "/logs");
  int lock_fd = lock_run_dir(run_dir);
  std::string workdir = o.workdir.empty() ? run_dir + "/work" : o.workdir;
  util::make_private_dirs(workdir);
  workdir = fs::absolute(workdir).lexically_normal().string();
  run_dir = fs::absolute(run_dir).lexically_normal().string();
  if (o.resume.empty()) io::write_output(run_dir + "/document.json", doc.serialize(io::Format::json), 0600);

  run::ExecutorOptions eo;
  eo.run_id = run_id;
  eo.workflow_name = wf.name.empty() ? "workflow" : wf.name;
  eo.log_dir = run_dir + "/logs";
  eo.workdir = workdir;
  Capacity cap = capacity_for(doc, o);
  eo.capacity = cap.capacity;
  eo.sample_interval_s = o.sample_interval_s;
  eo.enforce_memory = o.enforce_memory;
  eo.keep_going = o.keep_going;
  eo.retry_backoff_s = o.retry_backoff_s;
  eo.progress = o.progress == "always" || (o.progress == "auto" && isatty(STDERR_FILENO));
  std::string journal_path = run_dir + "/journal.jsonl";
  Resume resume;
  if (!o.resume.empty() && o.executor == "local") {
    resume = resume_state(doc, dag, journal_path, workdir);
    eo.done = resume.done;
    eo.prior_attempts = resume.prior_attempts;
  }

  std::optional<history::Store> store;
  std::string history_path;
  if (!o.no_history) {
    history_path = history::resolve_history_path(o.history.empty() ? std::nullopt : std::optional<std::string>(o.history));
    store.emplace(history::Store::open(history_path));
    record_missing_rows(*store, wf, resume, {run_id, eo.workflow_name, util::host_name(), eo.executor});
  }
  util::Clock& clock = util::real_clock();
  if (o.executor == "slurm") {
    std::unique_ptr<run::Events> events = o.events.empty() ? nullptr : std::make_unique<run::Events>(o.events, clock, clock.monotonic());
    SlurmRunContext ctx{run_id, run_dir, workdir, !o.resume.empty(), store ? &*store : nullptr, history_path, events.get(),
                        o.keep_going, o.retry_backoff_s, {}, {}};
    LeaseKeeper keeper(doc.section("provision"), o.ledger);
    run::Events no_events;
    run::Events& slurm_events = events ? *events : no_events;
    // Feedback on Slurm observes only: its evidence (elapsed past the forecast p50, peaks from
    // accounting) is there, but the cluster schedules the jobs, so there is no capacity of wf's
    // own to resize. It decides against the partition's usable capacity.
    FeedbackSetup feedback;
    RunOptions observe_only = o;
    observe_only.feedback = "observe";
    if (o.feedback == "resize")
      util::note("feedback: no resize with --executor slurm (the cluster schedules the jobs): decisions are reported only");
    if (o.feedback != "off")
      ctx.capacity_observer = [&](const schedule::Capacity& partition) -> run::Observer* {
        feedback = make_feedback(doc, dag, observe_only, task_info(doc), partition, slurm_events);
        return feedback.controller.get();
      };
    auto alert_observer = make_run_alerts(o.alerts, doc, store ? &*store : nullptr, slurm_events, clock, {run_id, eo.workflow_name});
    if (alert_observer) ctx.observers.push_back(alert_observer.get());
    int code = run_on_slurm(doc, dag, o.slurm, ctx);
    if (feedback.controller && doc.section("run")) {
      io::Json section(*doc.section("run"), doc.alloc());
      section.AddMember("feedback", control::feedback_to_json(feedback.controller->summary(), doc.alloc()), doc.alloc());
      doc.set_section("run", std::move(section));
    }
    emit(doc, o.common, out);
    ::close(lock_fd);
    return code;
  }
  run::LocalRunner runner;
  LeaseKeeper keeper(doc.section("provision"), o.ledger);
  run::Journal journal(journal_path);
  std::unique_ptr<run::Events> events = o.events.empty() ? std::make_unique<run::Events>()
                                                         : std::make_unique<run::Events>(o.events, clock, clock.monotonic());
  std::vector<schedule::TaskInfo> infos = task_info(doc);
  FeedbackSetup feedback = make_feedback(doc, dag, o, infos, eo.capacity, *events);
  run::Executor executor(wf, dag, std::move(infos), eo, runner, store ? &*store : nullptr, *events, &journal, clock);
  if (feedback.controller) executor.observe(*feedback.controller);
  auto alert_observer = make_run_alerts(o.alerts, doc, store ? &*store : nullptr, *events, clock, {run_id, eo.workflow_name});
  if (alert_observer) executor.observe(*alert_observer);
  util::note("run {} ({} tasks, {} cpus, {}); logs in {}", run_id, wf.tasks.size(), util::format_number(eo.capacity.cpus),
             model::format_bytes(eo.capacity.mem_bytes), eo.log_dir);
  run::RunResult result = executor.run();
  for (const auto& id : result.clamped)
    util::warn("task '{}' asks for more than the capacity; it was given the whole capacity", id);

  run::RunInfo info{run_id, run_dir, workdir, history_path, cap.source, eo.capacity, eo.sample_interval_s};
  io::Json section = run::run_to_json(result, info, wf, doc.section("prediction"), doc.alloc());
  if (feedback.controller) section.AddMember("feedback", control::feedback_to_json(feedback.controller->summary(), doc.alloc()), doc.alloc());
  doc.set_section("run", std::move(section));
  emit(doc, o.common, out);
  ::close(lock_fd);
  if (result.status == "interrupted") return util::code(util::Exit::interrupted);
  return result.status == "succeeded" ? 0 : util::code(util::Exit::failed);
}

}  // namespace

int run_main(int argc, const char* const* argv, const Output& out) {
  CLI::App app{"Run a workflow on this machine: start tasks as capacity allows, measure each one's CPU,\n"
               "memory and I/O from /proc, retry failures (memory retries grow from what was measured),\n"
               "and record every attempt in the history that wf-predict learns from.",
               "wf-run"};
  RunOptions o;
  add_common(app, o.common, {"json", "yaml"});
  add_param_option(app, o.params);
  app.add_option("--cpus", o.cpus, "capacity in cpus (default: the provision section, else this machine's)");
  app.add_option("--mem", o.mem, "capacity in memory, e.g. 8GiB (default: provision, else available memory)");
  app.add_option("--run-root", o.run_root, "where run directories live (default: $WF_RUN_ROOT or .wf/runs)")->type_name("DIR");
  app.add_option("--workdir", o.workdir, "the tasks' working directory (default: the run directory's work/)")->type_name("DIR");
  app.add_option("--resume", o.resume, "continue run RUN: tasks that succeeded (same command and inputs) are not run again")
      ->type_name("RUN");
  app.add_option("--events", o.events, "append a JSON Lines event stream to FILE")->type_name("FILE");
  app.add_option("--history", o.history, "history database (default: $WF_HISTORY, else ~/.local/share/wf/history.db)")
      ->type_name("PATH");
  app.add_flag("--no-history", o.no_history, "do not record executions");
  app.add_option("--sample-interval", o.sample_interval_s, "seconds between /proc samples")->capture_default_str()->check(CLI::Range(0.01, 3600.0));
  app.add_flag("--enforce-memory", o.enforce_memory, "kill a task whose memory passes its reservation (then retried larger)");
  app.add_flag("-k,--keep-going", o.keep_going, "after a failure, go on with every task that does not depend on it");
  app.add_option("--retry-backoff", o.retry_backoff_s, "seconds before the first retry, doubled each time")->capture_default_str()->check(CLI::Range(0.0, 3600.0));
  app.add_option("--progress", o.progress, "live progress line on stderr")->check(CLI::IsMember({"auto", "always", "never"}))->capture_default_str();
  app.add_option("--executor", o.executor, "local (this machine) or slurm (one batch job per task; see wf-slurm(7))")
      ->check(CLI::IsMember({"local", "slurm"}))
      ->capture_default_str();
  app.add_option("--ledger", o.ledger, "ledger of the provisioned capacity this run renews (default: $WF_LEDGER, else beside the history)")
      ->type_name("PATH");
  app.add_option("--feedback", o.feedback, "in-run feedback: off, observe (decide and report) or resize (grow and shrink the capacity held)")
      ->check(CLI::IsMember({"off", "observe", "resize"}))
      ->capture_default_str();
  app.add_option("--feedback-threshold", o.feedback_policy.threshold, "feedback: the dead band, relative to the capacity held")
      ->capture_default_str()->check(CLI::Range(0.01, 10.0));
  app.add_option("--feedback-interval", o.feedback_policy.min_interval_s, "feedback: least seconds between two decisions")
      ->capture_default_str()->check(CLI::Range(0.0, 86400.0));
  app.add_option("--feedback-confirm", o.feedback_policy.confirmations, "feedback: consecutive checks (one a second) that must agree")
      ->capture_default_str()->check(CLI::Range(1, 1000));
  app.add_option("--feedback-max-cpus", o.feedback_max_cpus, "feedback: the most a grow asks for (default: this machine's cpus)");
  app.add_option("--feedback-max-mem", o.feedback_max_mem, "feedback: the most memory a grow asks for (default: available memory)");
  add_alert_options(app, o.alerts);
  add_slurm_options(app, o.slurm);
  app.footer("Exit: 0 every task succeeded, 1 a task failed, 64 usage, 65 invalid workflow, 66 no input,\n"
             "75 run directory busy, 130 interrupted. See wf-run(1), wf(7).");
  return run_tool("wf-run", app, argc, argv, [&] { return run_run(o, out); });
}

}  // namespace wf::cli
