// wf-provision: the cheapest capacity that covers the forecast, created before the run and
// recorded in the ledger so that wf-reap can always give it back.
#include <cmath>
#include <random>

#include "analyze/validate.h"
#include "cli/params.h"
#include "cli/provision_plan.h"
#include "cli/stages.h"
#include "cli/run_id.h"
#include "cli/tool.h"
#include "io/tree.h"
#include "model/units.h"
#include "provider/local_provider.h"
#include "provider/paths.h"
#include "provider/provision.h"
#include "provider/provision_json.h"
#include "provider/registry.h"
#include "util/clock.h"
#include "util/log.h"
#include "util/strings.h"

namespace wf::cli {
namespace {

struct ProvisionToolOptions {
  CommonOptions common;
  std::vector<std::string> params;
  PlanRequest request;
  bool plan_only = false;
  bool show_pool = false;
  std::string ledger, scratch_root, run_id;
  std::string ttl, wait, aging, deadline;
  std::optional<int> priority;
  std::optional<double> budget;
  std::vector<std::string> provider_env;
  double provider_timeout_s = 60;
};

double duration_flag(const std::string& text, const char* flag) {
  std::string why;
  auto v = model::parse_duration(text, &why);
  if (!v) fail(util::Exit::usage, "{}: {}", flag, why);
  return *v;
}

// The cloud plan's items as resources for an exec: provider: one `vm` per item (with its count,
// window, type, region and option in the spec; the plugin decides how to realise it).
std::vector<provider::ResourceRequest> cloud_requests(const io::Json& cloud, double ttl_s) {
  std::vector<provider::ResourceRequest> out;
  if (const io::Json* items = io::get(cloud, "items"); items && items->IsArray())
    for (const auto& it : items->GetArray()) {
      io::JsonDoc spec;
      spec.SetObject();
      for (const char* key : {"instance_type", "region", "option", "count", "start_s", "end_s", "vcpu", "mem_bytes"})
        if (const io::Json* v = io::get(it, key)) spec.AddMember(io::str(key, spec.GetAllocator()), io::Json(*v, spec.GetAllocator()), spec.GetAllocator());
      std::string text = io::to_json(spec, false);
      text.pop_back();  // the newline
      out.push_back({"vm", text, ttl_s});
    }
  return out;
}

io::Json capacity_json(const provider::Capacity& c, io::Alloc& a) {
  io::Json o(rapidjson::kObjectType);
  o.AddMember("cpus", io::number(c.cpus), a);
  o.AddMember("mem_bytes", io::number(c.mem_bytes), a);
  o.AddMember("disk_bytes", io::number(c.disk_bytes), a);
  return o;
}

// --pool: the local pool as every wf process on the host sees it — what it holds, and the
// requests waiting for it in the order they will be served (aged priority, then age, then id).
io::JsonDoc pool_json(provider::LocalPool& pool) {
  io::JsonDoc doc(rapidjson::kObjectType);
  io::Alloc& a = doc.GetAllocator();
  double now = pool.ledger().clock().wall();
  provider::PoolStatus status = pool.status();
  doc.AddMember("ledger", io::str(pool.ledger().path(), a), a);
  doc.AddMember("capacity", capacity_json(status.capacity, a), a);
  doc.AddMember("used", capacity_json(status.used, a), a);
  io::Json leases(rapidjson::kArrayType);
  for (const auto& l : pool.leases()) {
    if (l.expires_s <= now) continue;
    io::Json o(rapidjson::kObjectType);
    o.AddMember("id", io::str(l.id, a), a);
    o.AddMember("run_id", io::str(l.run_id, a), a);
    o.AddMember("cpus", io::number(l.cpus), a);
    o.AddMember("mem_bytes", io::number(static_cast<double>(l.mem_bytes)), a);
    o.AddMember("disk_bytes", io::number(static_cast<double>(l.disk_bytes)), a);
    o.AddMember("priority", l.priority, a);
    o.AddMember("expires_s", io::number(l.expires_s), a);
    leases.PushBack(o, a);
  }
  doc.AddMember("leases", leases, a);
  io::Json waiting(rapidjson::kArrayType);
  for (const auto& w : pool.queue()) {
    auto row = pool.ledger().get(w.id);
    io::Json o(rapidjson::kObjectType);
    o.AddMember("id", io::str(w.id, a), a);
    o.AddMember("run_id", io::str(row ? row->run_id : "", a), a);
    o.AddMember("priority", w.priority, a);
    o.AddMember("effective_priority", w.effective_priority, a);
    o.AddMember("waited_s", io::number(std::round(std::max(0.0, now - w.since_s) * 1000) / 1000), a);
    o.AddMember("aging_s", io::number(w.aging_s), a);
    o.AddMember("cpus", io::number(w.cpus), a);
    o.AddMember("mem_bytes", io::number(static_cast<double>(w.mem_bytes)), a);
    o.AddMember("disk_bytes", io::number(static_cast<double>(w.disk_bytes)), a);
    waiting.PushBack(o, a);
  }
  doc.AddMember("waiting", waiting, a);
  return doc;
}

std::string pool_table(const io::Json& pool) {
  auto num = [](const io::Json& o, const char* key) { return io::get_number(o, key).value_or(0); };
  auto str = [](const io::Json& o, const char* key) { return std::string(io::get_string(o, key).value_or("")); };
  const io::Json& cap = *io::get(pool, "capacity");
  const io::Json& used = *io::get(pool, "used");
  std::string out = fmt::format("pool: {} of {} cpus, {} of {} memory held\n", util::format_number(num(used, "cpus")),
                                util::format_number(num(cap, "cpus")), model::format_bytes(num(used, "mem_bytes")),
                                model::format_bytes(num(cap, "mem_bytes")));
  out += fmt::format("{:<20}  {:>6}  {:>9}  {:>8}  {}\n", "LEASE", "CPUS", "MEMORY", "PRIORITY", "RUN");
  for (const auto& l : io::get(pool, "leases")->GetArray())
    out += fmt::format("{:<20}  {:>6}  {:>9}  {:>8}  {}\n", str(l, "id"), util::format_number(num(l, "cpus")),
                       model::format_bytes(num(l, "mem_bytes")), num(l, "priority"), str(l, "run_id"));
  out += fmt::format("\nwaiting, in the order they will be served:\n{:<20}  {:>6}  {:>9}  {:>8}  {:>9}  {:>8}  {}\n", "REQUEST",
                     "CPUS", "MEMORY", "PRIORITY", "EFFECTIVE", "WAITED", "RUN");
  for (const auto& w : io::get(pool, "waiting")->GetArray())
    out += fmt::format("{:<20}  {:>6}  {:>9}  {:>8}  {:>9}  {:>8}  {}\n", str(w, "id"), util::format_number(num(w, "cpus")),
                       model::format_bytes(num(w, "mem_bytes")), num(w, "priority"), num(w, "effective_priority"),
                       model::format_duration(num(w, "waited_s")), str(w, "run_id"));
  return out;
}

int show_pool(const ProvisionToolOptions& o, const Output& out) {
  std::string ledger_path = provider::resolve_ledger_path(o.ledger.empty() ? std::nullopt : std::optional(o.ledger));
  provider::Ledger ledger = provider::Ledger::open(ledger_path);
  provider::ProviderConfig config;
  config.pool.scratch_root =
      provider::resolve_scratch_root(o.scratch_root.empty() ? std::nullopt : std::optional(o.scratch_root), ledger_path);
  provider::Providers providers(ledger, config);
  io::JsonDoc pool = pool_json(providers.pool());
  if (o.common.format == "table") out.write(o.common.output, pool_table(pool));
  else out.write(o.common.output, o.common.format == "yaml" ? io::to_yaml(pool) : io::to_json(pool));
  return 0;
}

int run_provision(ProvisionToolOptions& o, const Output& out) {
  util::set_quiet(o.common.quiet);
  if (o.show_pool) return show_pool(o, out);
  auto doc = io::Document::load(o.common.input);
  apply_params(doc, o.params);
  model::Dag dag = analyze::checked_dag(doc);
  ensure_prediction(doc, dag);
  if (!o.deadline.empty()) o.request.deadline_s = duration_flag(o.deadline, "--deadline");
  o.request.budget_usd = o.budget;
  LocalPlan local;
  io::Json plan = make_plan_section(doc, dag, o.request, local);
  if (o.plan_only) {
    if (o.common.format == "table") {
      out.write(o.common.output, render_plan_table(plan));
      return 0;
    }
    doc.set_section("plan", std::move(plan));
    emit(doc, o.common, out);
    return 0;
  }
  const auto& wf = doc.workflow();
  std::string run_id = o.run_id.empty() ? new_run_id(wf.name) : o.run_id;
  const io::Json* makespan = io::get(*doc.section("prediction"), "makespan_s");
  double horizon = makespan ? io::get_number(*makespan, "p95").value_or(600) : 600;
  // A lease outlives the run's forecast comfortably; wf-run renews it while it runs, and once its
  // holder is gone it returns to the pool after this long.
  double ttl = o.ttl.empty() ? std::max(600.0, 2 * (local.makespan_under_lease_s ? *local.makespan_under_lease_s : horizon)) : duration_flag(o.ttl, "--ttl");

  std::string ledger_path = provider::resolve_ledger_path(o.ledger.empty() ? std::nullopt : std::optional(o.ledger));
  provider::Ledger ledger = provider::Ledger::open(ledger_path);
  provider::ProviderConfig config;
  config.pool.scratch_root =
      provider::resolve_scratch_root(o.scratch_root.empty() ? std::nullopt : std::optional(o.scratch_root), ledger_path);
  config.exec.pass_env = o.provider_env;
  config.exec.timeout_s = o.provider_timeout_s;
  provider::Providers providers(ledger, config);
  io::Alloc& a = doc.alloc();
  io::Json section(rapidjson::kObjectType);
  section.AddMember("provider", io::str(o.request.provider, a), a);
  std::vector<provider::Resource> resources;
  if (o.request.provider == "local") {
    auto& lp = dynamic_cast<provider::LocalProvider&>(providers.get("local"));
    provider::LeaseRequest req;
    req.run_id = run_id;
    req.cpus = local.cpus;
    req.mem_bytes = static_cast<uint64_t>(local.mem_bytes);
    req.priority = o.priority.value_or(wf.priority);
    req.ttl_s = ttl;
    if (!o.wait.empty()) req.wait_s = duration_flag(o.wait, "--wait");
    if (!o.aging.empty()) req.aging_s = duration_flag(o.aging, "--aging");
    provider::Lease lease = provider::acquire_lease(lp, req);
    section.AddMember("cpus", io::number(lease.cpus), a);
    section.AddMember("mem_bytes", io::number(static_cast<double>(lease.mem_bytes)), a);
    section.AddMember("lease", io::str(lease.id, a), a);
    section.AddMember("priority", lease.priority, a);
    section.AddMember("aging_s", io::number(req.aging_s.value_or(config.pool.aging_s)), a);
    section.AddMember("ttl_s", io::number(lease.ttl_s), a);
    for (const auto& r : ledger.of_run(run_id)) resources.push_back(r);
    util::note("leased {} cpus and {} from this machine's pool for run {} (lease {}, priority {}, ttl {})",
               util::format_number(lease.cpus), model::format_bytes(static_cast<double>(lease.mem_bytes)), run_id, lease.id,
               lease.priority, model::format_duration(lease.ttl_s));
  } else {
    const io::Json* cloud = io::get(plan, "cloud");
    if (!cloud) fail(util::Exit::usage, "--provider {} needs a cloud plan: give a price catalog with --catalog", o.request.provider);
    auto requests = cloud_requests(*cloud, ttl);
    provider::ProvisionOptions po;
    po.run_id = run_id;
    resources = provider::create_resources(ledger, providers.get(o.request.provider), requests, po);
    double cpus = 0, mem = 0;
    if (const io::Json* items = io::get(*cloud, "items"))
      for (const auto& it : items->GetArray()) {
        double n = io::get_number(it, "count").value_or(0);
        cpus = std::max(cpus, n * io::get_number(it, "vcpu").value_or(0));
        mem = std::max(mem, n * io::get_number(it, "mem_bytes").value_or(0));
      }
    section.AddMember("cpus", io::number(cpus), a);
    section.AddMember("mem_bytes", io::number(mem), a);
    util::note("created {} resource{} through {} for run {}", resources.size(), resources.size() == 1 ? "" : "s", o.request.provider, run_id);
  }
  section.AddMember("ledger", io::str(ledger_path, a), a);
  provider::write_provision(section, run_id, resources, a);
  doc.set_section("plan", std::move(plan));
  doc.set_section("provision", std::move(section));
  emit(doc, o.common, out);
  return 0;
}

}  // namespace

int provision_main(int argc, const char* const* argv, const Output& out) {
  CLI::App app{"Choose the cheapest capacity that covers the workflow's forecast, then create it before the\n"
               "run: a lease on this machine's pool (local, shared by every wf process on the host), or the\n"
               "items of a cloud plan through a provider plugin (exec:PROGRAM). Every resource is recorded in\n"
               "the ledger before and after each provider call, so wf-reap can always give it back.",
               "wf-provision"};
  ProvisionToolOptions o;
  add_common(app, o.common, {"json", "yaml", "table"});
  add_param_option(app, o.params);
  app.add_flag("--plan", o.plan_only, "plan only: change nothing, write the plan (ad-hoc capacity planning)");
  app.add_flag("--pool", o.show_pool,
               "show the local pool: its leases, and the requests waiting in the order they will be served; change nothing");
  app.add_option("--provider", o.request.provider, "local, or exec:PROGRAM (a wf-provider/1 plugin)")->capture_default_str();
  app.add_option("--catalog", o.request.catalogs, "price catalog (CSV as in aws-ec2.csv, or YAML); repeatable")->type_name("FILE");
  app.add_option("--region", o.request.regions, "allowed region; repeatable (default: every region of the catalogs)");
  app.add_option("--option", o.request.options, "allowed purchase option: on-demand, spot, reserved; repeatable (default: all)");
  app.add_option("--budget", o.budget, "maximum expected cost in USD");
  app.add_option("--deadline", o.deadline, "the makespan the capacity must support, e.g. 2h (default: the forecast's p95 plus two runs of its longest task)");
  app.add_option("--billing", o.request.billing, "per-second (60 s minimum) or per-hour")
      ->check(CLI::IsMember({"per-second", "per-hour"}))
      ->capture_default_str();
  app.add_option("--quantile", o.request.quantile, "which forecast band the capacity covers")
      ->check(CLI::IsMember({"p50", "p95"}))
      ->capture_default_str();
  app.add_option("--ttl", o.ttl, "how long what is created lives without renewal (default: twice the forecast makespan, at least 10m)");
  app.add_option("--wait", o.wait, "local: wait up to this long for room in the pool (default: fail at once with 75)");
  app.add_option("--priority", o.priority, "local: the request's priority (default: the workflow's); higher is served first");
  app.add_option("--aging", o.aging,
                 "local: while waiting, the request gains one priority level per this long (default: 5m; 0: never)");
  app.add_option("--run-id", o.run_id, "the owner run recorded with every resource (default: a new id, which wf-run adopts)");
  app.add_option("--ledger", o.ledger, "ledger database (default: $WF_LEDGER, else ~/.local/share/wf/ledger.db)")->type_name("PATH");
  app.add_option("--scratch-root", o.scratch_root, "local: where per-run scratch directories are made")->type_name("DIR");
  app.add_option("--provider-env", o.provider_env, "environment a plugin may see: NAME, PREFIX* or NAME=value; repeatable");
  app.add_option("--provider-timeout", o.provider_timeout_s, "seconds a plugin call may take")->capture_default_str();
  app.footer("Exit: 0 ok, 64 usage, 65 invalid workflow or no plan fits (budget, deadline), 66 no input,\n"
             "69 provider unavailable, 75 pool full or ledger busy. See wf-provision(1), wf-provider(7), wf(7).");
  return run_tool("wf-provision", app, argc, argv, [&] { return run_provision(o, out); });
}

}  // namespace wf::cli
