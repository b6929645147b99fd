#include "cli/run_slurm.h"

#include <algorithm>
#include <filesystem>

#include "model/command.h"
#include "model/units.h"
#include "run/journal.h"
#include "run/run_json.h"
#include "run/slurm_batch.h"
#include "run/slurm_demand.h"
#include "run/slurm_executor.h"
#include "run/slurm_journal.h"
#include "run/slurm_nodes.h"
#include "run/slurm_priority.h"
#include "util/log.h"
#include "util/strings.h"

namespace wf::cli {
namespace {

namespace fs = std::filesystem;

void make_dir(const std::string& path) {
  std::error_code ec;
  fs::create_directories(path, ec);
  if (ec) fail(util::Exit::cant_create, "{}: cannot create directory: {}", path, ec.message());
}

std::string partition_of(const SlurmRunOptions& o, run::SlurmClient& client) {
  if (!o.partition.empty()) return o.partition;
  if (const char* env = std::getenv("WF_SLURM_PARTITION"); env && *env) return env;
  std::string p = run::default_partition(client);
  if (p.empty()) fail(util::Exit::config, "no --partition given, and the cluster marks no partition as its default");
  return p;
}

// The reservation the slurm provider made for this run (provision.resources[]: provider "slurm",
// kind "reservation", active): its provider id is the reservation's name.
std::string provisioned_reservation(const io::Document& doc) {
  const io::Json* prov = doc.section("provision");
  const io::Json* list = prov ? io::get(*prov, "resources") : nullptr;
  if (!list || !list->IsArray()) return "";
  for (const auto& r : list->GetArray())
    if (io::get_string(r, "provider") == std::optional<std::string_view>("slurm") &&
        io::get_string(r, "kind") == std::optional<std::string_view>("reservation") &&
        io::get_string(r, "state").value_or("active") == "active")
      if (auto id = io::get_string(r, "provider_id")) return std::string(*id);
  return "";
}

std::vector<run::SlurmResume> resume_state(const io::Document& doc, const std::string& journal_path, const std::string& workdir) {
  const auto& wf = doc.workflow();
  std::vector<std::string> fingerprints;
  for (const auto& t : wf.tasks) {
    std::vector<std::string> inputs;
    for (const auto& f : t.inputs) inputs.push_back(f.path);
    fingerprints.push_back(run::fingerprint(model::display(model::render_command(wf, t)), inputs, workdir));
  }
  return run::slurm_resume_state(wf, run::SlurmJournal::read(journal_path), fingerprints);
}

struct Placement {
  std::string partition, reservation;
  schedule::Capacity capacity;
  double largest_node_mem_bytes = 0;
};

Placement placement(const io::Document& doc, const SlurmRunOptions& o, const std::vector<run::SlurmNode>& nodes,
                    const std::string& partition) {
  Placement p;
  p.partition = partition;
  p.reservation = o.reservation.empty() ? provisioned_reservation(doc) : o.reservation;
  for (const auto& n : nodes) {
    if (n.unusable()) continue;
    p.capacity.cpus += n.cpus;
    p.capacity.mem_bytes += static_cast<double>(n.mem_bytes);
    p.largest_node_mem_bytes = std::max(p.largest_node_mem_bytes, static_cast<double>(n.mem_bytes));
  }
  return p;
}

run::SlurmExecutorOptions executor_options(const io::Document& doc, const SlurmRunOptions& options,
                                           const SlurmRunContext& context, const Placement& place) {
  run::SlurmExecutorOptions eo;
  eo.run_id = context.run_id;
  eo.workflow_name = doc.workflow().name.empty() ? "workflow" : doc.workflow().name;
  eo.log_dir = context.run_dir + "/logs";
  eo.script_dir = context.run_dir + "/slurm";
  eo.workdir = context.workdir;
  eo.partition = place.partition;
  eo.reservation = place.reservation;
  eo.keep_going = context.keep_going;
  eo.retry_backoff_s = context.retry_backoff_s;
  eo.max_mem_bytes = place.largest_node_mem_bytes;
  eo.poll_min_s = options.poll_interval_s;
  eo.poll_max_s = std::max(options.poll_interval_s, options.max_poll_interval_s);
  eo.capacity = place.capacity;
  make_dir(eo.log_dir);
  make_dir(eo.script_dir);
  if (context.resume) eo.resume = resume_state(doc, context.run_dir + "/journal.jsonl", context.workdir);
  return eo;
}

// Powers up the nodes the forecast's peak needs, and says so in the event stream.
run::PrewarmResult prewarm(const io::Document& doc, const std::vector<run::SlurmTaskDemand>& demands,
                           const SlurmRunOptions& options, const std::string& partition, run::SlurmClient& client,
                           run::StopWaiter& waiter, util::Clock& clock, run::Events& events) {
  run::PeakDemand peak = run::peak_demand(doc, demands);
  run::PrewarmResult pw = run::prewarm(client, waiter, clock, partition, peak.cpus, peak.mem_bytes, options.prewarm_timeout_s);
  if (!pw.nodes.empty())
    events.emit("nodes_prewarmed", [&](io::Json& o, io::Alloc& a) {
      io::Json warmed(rapidjson::kArrayType);
      for (const auto& n : pw.nodes) warmed.PushBack(io::str(n, a), a);
      o.AddMember("partition", io::str(partition, a), a);
      o.AddMember("nodes", warmed, a);
      o.AddMember("waited_s", io::number(pw.waited_s), a);
      o.AddMember("ready", pw.ready, a);
    });
  return pw;
}

void add_slurm_section(io::Json& run_section, const Placement& p, const run::PrewarmResult& pw, const run::JobIds& ids,
                       long long nice, io::Alloc& a) {
  io::put(run_section, "executor", "slurm", a);
  io::Json s(rapidjson::kObjectType);
  s.AddMember("partition", io::str(p.partition, a), a);
  s.AddMember("nice", static_cast<std::int64_t>(nice), a);
  if (!p.reservation.empty()) s.AddMember("reservation", io::str(p.reservation, a), a);
  io::Json warm(rapidjson::kObjectType), nodes(rapidjson::kArrayType);
  for (const auto& n : pw.nodes) nodes.PushBack(io::str(n, a), a);
  warm.AddMember("nodes", nodes, a);
  warm.AddMember("waited_s", io::number(std::round(pw.waited_s * 1000) / 1000), a);
  warm.AddMember("ready", pw.ready, a);
  s.AddMember("prewarm", warm, a);
  run_section.AddMember("slurm", s, a);
  if (io::Json* tasks = io::get(run_section, "tasks"); tasks && tasks->IsArray())
    for (rapidjson::SizeType i = 0; i < tasks->Size() && i < ids.size(); ++i) {
      io::Json jobs(rapidjson::kArrayType);
      for (const auto& id : ids[i]) jobs.PushBack(io::str(id, a), a);
      (*tasks)[i].AddMember("job_ids", jobs, a);
    }
}

}  // namespace

void add_slurm_options(CLI::App& app, SlurmRunOptions& o) {
  app.add_option("--partition", o.partition, "Slurm: the partition (default: $WF_SLURM_PARTITION, else the cluster's default)")
      ->type_name("NAME");
  app.add_option("--reservation", o.reservation, "Slurm: submit into this reservation (default: the provision section's)")
      ->type_name("NAME");
  app.add_flag("--no-prewarm", [&o](std::int64_t) { o.prewarm = false; },
               "Slurm: do not power up power-saved nodes before submitting");
  app.add_option("--prewarm-timeout", o.prewarm_timeout_s, "Slurm: seconds to wait for pre-warmed nodes")
      ->capture_default_str()->check(CLI::Range(0.0, 3600.0));
  app.add_option("--poll-interval", o.poll_interval_s, "Slurm: first seconds between polls of squeue/sacct")
      ->capture_default_str()->check(CLI::Range(0.05, 600.0));
  app.add_option("--max-poll-interval", o.max_poll_interval_s, "Slurm: longest seconds between polls")
      ->capture_default_str()->check(CLI::Range(0.05, 3600.0));
}

int run_on_slurm(io::Document& doc, const model::Dag& dag, const SlurmRunOptions& options, const SlurmRunContext& context) {
  run::SignalWaiter waiter;  // before anything can take a while: Ctrl-C must cancel, not kill us
  run::RealSlurmClient client;
  return run_on_slurm(doc, dag, options, context, client, waiter, util::real_clock());
}

int run_on_slurm(io::Document& doc, const model::Dag& dag, const SlurmRunOptions& options, const SlurmRunContext& context,
                 run::SlurmClient& cluster, run::StopWaiter& waiter, util::Clock& clock) {
  const auto& wf = doc.workflow();
  run::PrioritisedClient client(cluster, wf.priority);
  std::string partition = partition_of(options, client);
  auto nodes = run::partition_nodes(client, partition);
  if (nodes.empty()) fail(util::Exit::unavailable, "Slurm partition '{}' has no nodes (does it exist? see sinfo)", partition);
  Placement place = placement(doc, options, nodes, partition);
  auto demands = run::slurm_demands(doc);
  run::SlurmExecutorOptions eo = executor_options(doc, options, context, place);

  run::Events discard;
  run::Events& events = context.events ? *context.events : discard;
  run::PrewarmResult pw;
  bool work_left = eo.resume.empty() || std::any_of(eo.resume.begin(), eo.resume.end(), [](const auto& r) { return !r.done; });
  if (options.prewarm && work_left) pw = prewarm(doc, demands, options, partition, client, waiter, clock, events);
  run::SlurmJournal journal(context.run_dir + "/journal.jsonl");
  run::SlurmExecutor executor(wf, dag, demands, eo, client, waiter, context.history, events, &journal, clock);
  std::vector<run::Observer*> observers;
  if (context.capacity_observer)
    if (run::Observer* first = context.capacity_observer(place.capacity)) observers.push_back(first);
  observers.insert(observers.end(), context.observers.begin(), context.observers.end());
  for (run::Observer* o : observers) executor.observe(*o);
  util::note("run {} ({} tasks) on Slurm partition {}{}{}; logs in {}", context.run_id, wf.tasks.size(), partition,
             place.reservation.empty() ? "" : ", reservation " + place.reservation,
             wf.priority == 0 ? "" : fmt::format(", priority {} (nice {})", wf.priority, client.nice()), eo.log_dir);
  run::RunResult result;
  if (pw.signal) {  // stopped while nodes were powering up: nothing was submitted
    result.status = "interrupted";
    result.stop_signal = pw.signal;
    result.started_at = result.finished_at = clock.wall();
    result.tasks.resize(dag.size());
    for (run::Observer* o : observers) o->ended(result.status, 0);
  } else {
    result = executor.run();
  }

  run::RunInfo info;
  info.id = context.run_id;
  info.run_dir = context.run_dir;
  info.workdir = context.workdir;
  info.history_path = context.history_path;
  info.capacity_source = "slurm partition " + partition;
  info.capacity = place.capacity;
  io::Json section = run::run_to_json(result, info, wf, doc.section("prediction"), doc.alloc());
  add_slurm_section(section, place, pw, executor.job_ids(), client.nice(), doc.alloc());
  doc.set_section("run", std::move(section));
  if (result.status == "interrupted") return util::code(util::Exit::interrupted);
  return result.status == "succeeded" ? 0 : util::code(util::Exit::failed);
}

}  // namespace wf::cli
