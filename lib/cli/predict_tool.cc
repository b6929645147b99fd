// wf-predict: per-task estimates from history, then the forecast of the whole workflow's demand.
#include <unistd.h>

#include <cmath>

#include "analyze/validate.h"
#include "cli/params.h"
#include "cli/stages.h"
#include "cli/tool.h"
#include "history/paths.h"
#include "history/store.h"
#include "model/units.h"
#include "predict/contention.h"
#include "predict/forecast.h"
#include "predict/models.h"
#include "util/machine.h"
#include "util/log.h"
#include "util/strings.h"

namespace wf::cli {
namespace {

struct PredictOptions {
  CommonOptions common;
  std::vector<std::string> params;
  std::string history;
  bool no_history = false;
  bool use_recorded = false;
  size_t samples = 100;
  uint64_t seed = 1;
  size_t concurrency = 1;
  std::string stagger = "0";
  std::string cpus, mem, bandwidth;
  std::string background = "auto";
};

std::vector<predict::Estimate> estimate_tasks(const model::Workflow& wf, const PredictOptions& o, std::string& history_path) {
  std::vector<predict::Estimate> out;
  out.reserve(wf.tasks.size());
  std::optional<history::Store> store;
  std::optional<predict::Predictor> predictor;
  if (!o.no_history && !o.use_recorded) {
    history_path = history::resolve_history_path(o.history.empty() ? std::nullopt : std::optional<std::string>(o.history));
    history::OpenOptions open;
    open.create = false;
    if (::access(history_path.c_str(), F_OK) == 0) {
      store.emplace(history::Store::open(history_path, open));
      predictor.emplace(*store);
    } else {
      util::note("no history at {} yet: estimates come from the tasks' hints (run wf-run or wf-history import first)", history_path);
    }
  }
  for (const auto& t : wf.tasks) {
    if (o.use_recorded) {
      if (auto e = predict::recorded_estimate(t)) {
        out.push_back(*e);
        continue;
      }
    }
    out.push_back(predictor ? predictor->estimate(wf, t) : predict::hint_estimate(t));
  }
  return out;
}

predict::SimCapacity capacity_from(const PredictOptions& o) {
  predict::SimCapacity c;
  std::string why;
  // "machine": what wf-run takes when given no capacity (util/machine.h: the CPUs this process may
  // use and the memory available, within its cgroup's limits).
  if (o.cpus == "machine") {
    c.cpus = util::machine_cpus();
  } else if (!o.cpus.empty()) {
    auto v = model::parse_cpus(o.cpus, &why);
    if (!v || *v <= 0) fail(util::Exit::usage, "--cpus: {}", why.empty() ? "must be positive" : why);
    c.cpus = v;
  }
  if (o.mem == "machine") {
    c.mem_bytes = static_cast<double>(util::machine_available_mem_bytes());
  } else if (!o.mem.empty()) {
    auto v = model::parse_bytes(o.mem, &why);
    if (!v || *v == 0) fail(util::Exit::usage, "--mem: {}", why.empty() ? "must be positive" : why);
    c.mem_bytes = static_cast<double>(*v);
  }
  if (!o.bandwidth.empty()) {
    auto v = model::parse_rate(o.bandwidth, &why);
    if (!v || *v <= 0) fail(util::Exit::usage, "--bandwidth: {}", why.empty() ? "must be positive" : why);
    c.io_bytes_per_s = v;
  }
  return c;
}

// --background: what else runs on the host, sharing its CPUs with the run (predict/contention.h).
// The latest runs on this host that recorded its load; nullopt when there are none (or no history).
std::optional<predict::HostBackground> background_in_history(const std::string& history_path, bool asked) {
  if (history_path.empty() || ::access(history_path.c_str(), F_OK) != 0) {
    if (asked) util::note("--background history: no history to read the host's load from; none assumed");
    return std::nullopt;
  }
  history::OpenOptions open;
  open.create = false;
  auto store = history::Store::open(history_path, open);
  std::string host = util::host_name();
  auto b = predict::background_of(store.recent_loaded_runs(3, host));
  if (!b) {
    if (asked) util::note("--background history: no run on {} recorded the host's load; none assumed", host);
    return std::nullopt;
  }
  util::note("background: {:.1f} runnable threads on {}'s {} CPUs besides the run's own (median of {} attempts over "
             "the latest {} run{})",
             b->runnable, host, util::format_number(b->host_cpus), b->rows, b->runs, b->runs == 1 ? "" : "s");
  return predict::HostBackground{b->runnable, b->host_cpus};
}

// none; history; auto (history with --cpus, else none: the default); THREADS; THREADS/HOST_CPUS.
predict::HostBackground background_from(const PredictOptions& o, const predict::SimCapacity& capacity, const std::string& history_path) {
  const std::string& w = o.background;
  if (w == "none" || (w == "auto" && !capacity.cpus)) return {};
  if (!capacity.cpus) fail(util::Exit::usage, "--background: needs --cpus (the run's share of the host the background shares)");
  if (w == "auto" || w == "history") return background_in_history(history_path, w == "history").value_or(predict::HostBackground{});
  auto bad = [&] {
    fail(util::Exit::usage, "--background: expected none, auto, history, THREADS or THREADS/HOST_CPUS, got '{}'", w);
  };
  size_t slash = w.find('/');
  auto threads = util::parse_double(w.substr(0, slash));
  if (!threads || !std::isfinite(*threads) || *threads < 0) bad();
  predict::HostBackground b{*threads, std::nullopt};
  if (slash != std::string::npos) {
    auto host = util::parse_double(w.substr(slash + 1));
    if (!host || !std::isfinite(*host) || *host <= 0) bad();
    b.host_cpus = host;
  }
  return b;
}

// Says how many tasks' inputs lie beyond the sizes history learned from: their estimates
// extrapolate, with widened intervals (MeasureFit::evaluate).
void note_extrapolation(const std::vector<predict::Estimate>& estimates) {
  size_t above = 0;
  double most = 1;
  for (const auto& e : estimates) {
    std::optional<double> r;
    for (const auto* p : {&e.runtime_from, &e.mem_from, &e.io_from})
      if (p->input_ratio) r = std::max(r.value_or(1), *p->input_ratio);
    if (r) ++above, most = std::max(most, *r);
  }
  if (above > 0)
    util::note("{} task{} read more input than any execution history learned from (up to {:.3g}x the largest): "
               "their estimates extrapolate, with intervals widened for it (provenance input_ratio)",
               above, above == 1 ? "" : "s", most);
}

int run_predict(const PredictOptions& o, const Output& out) {
  util::set_quiet(o.common.quiet);
  auto doc = io::Document::load(o.common.input);
  apply_params(doc, o.params);
  model::Dag dag = analyze::checked_dag(doc);
  const auto& wf = doc.workflow();
  predict::ForecastOptions fo;
  fo.samples = o.samples;
  fo.seed = o.seed;
  fo.concurrency = o.concurrency;
  std::string why;
  auto stagger = model::parse_duration(o.stagger, &why);
  if (!stagger) fail(util::Exit::usage, "--stagger: {}", why);
  fo.stagger_s = *stagger;
  fo.capacity = capacity_from(o);
  std::string history_path;
  auto estimates = estimate_tasks(wf, o, history_path);
  note_extrapolation(estimates);
  fo.capacity.background = background_from(o, fo.capacity, history_path);
  auto f = predict::forecast(wf, dag, estimates, fo);
  if (o.common.format == "table") {
    out.write(o.common.output, predict::render_forecast_table(f, wf, estimates));
    return 0;
  }
  // The per-task list is made as it is written: on a million tasks, a tree of it would be the
  // largest thing in memory (1.4 GB), held only to be written once.
  io::Json section = predict::prediction_to_json(f, wf, estimates, doc.alloc(), false);
  if (!history_path.empty()) section.AddMember("history", io::str(history_path, doc.alloc()), doc.alloc());
  doc.set_section("prediction", std::move(section));
  doc.stream_list("prediction", "tasks", predict::prediction_tasks(wf, estimates));
  emit(doc, o.common, out);
  return 0;
}

}  // namespace

void ensure_prediction(io::Document& doc, const model::Dag& dag) {
  if (doc.section("prediction")) return;
  util::note("the document has no prediction: forecasting with wf-predict's defaults");
  PredictOptions o;
  const auto& wf = doc.workflow();
  std::string history_path;
  auto estimates = estimate_tasks(wf, o, history_path);
  predict::ForecastOptions fo;
  fo.samples = o.samples;
  fo.seed = o.seed;
  auto f = predict::forecast(wf, dag, estimates, fo);
  doc.set_section("prediction", predict::prediction_to_json(f, wf, estimates, doc.alloc()));
}

int predict_main(int argc, const char* const* argv, const Output& out) {
  CLI::App app{"Forecast a workflow before it runs: each task's runtime, CPU, memory and I/O from history\n"
               "(with p50..p99 intervals and where each came from), then a simulation of the run under the\n"
               "given capacity — the same scheduler as wf-run — for the demand over time, its peaks and\n"
               "the makespan, over Monte Carlo samples.",
               "wf-predict"};
  PredictOptions o;
  add_common(app, o.common, {"json", "yaml", "table"});
  add_param_option(app, o.params);
  app.add_option("--history", o.history, "history database (default: $WF_HISTORY, else ~/.local/share/wf/history.db)")->type_name("PATH");
  app.add_flag("--no-history", o.no_history, "ignore history: estimates from the tasks' hints only");
  app.add_flag("--use-recorded", o.use_recorded, "replay a trace: use each task's recorded measurements where it has them");
  app.add_option("--samples", o.samples, "Monte Carlo samples")->capture_default_str()->check(CLI::Range(1, 100000));
  app.add_option("--seed", o.seed, "random seed (echoed in the output)")->capture_default_str();
  app.add_option("--concurrency", o.concurrency, "runs of the workflow at once, sharing the capacity")->capture_default_str()->check(CLI::Range(1, 10000));
  app.add_option("--stagger", o.stagger, "time between the concurrent runs' starts, e.g. 5m")->capture_default_str();
  app.add_option("--cpus", o.cpus, "capacity in cpus, or machine: what wf-run would take here (default: unlimited)");
  app.add_option("--mem", o.mem, "capacity in memory, e.g. 64GiB, or machine: what wf-run would take here (default: unlimited)");
  app.add_option("--bandwidth", o.bandwidth, "shared I/O bandwidth, e.g. 500MB/s: tasks slow down together above it");
  app.add_option("--background", o.background,
                 "other runnable threads on the host, sharing its CPUs with the run: none, history (what the latest "
                 "runs on this host recorded), auto (history with --cpus, else none), THREADS or THREADS/HOST_CPUS")
      ->capture_default_str();
  app.footer("Exit: 0 ok, 64 usage, 65 invalid workflow or history, 66 no input. See wf-predict(1), wf(7).");
  return run_tool("wf-predict", app, argc, argv, [&] { return run_predict(o, out); });
}

}  // namespace wf::cli
