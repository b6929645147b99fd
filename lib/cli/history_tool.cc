// wf-history: the history store from the command line — import executions recorded elsewhere,
// look at what the predictor learns from them, find anomalous executions, export, prune and keep
// the file sound.
#include <algorithm>
#include <cmath>
#include <fstream>

#include "alert/history_values.h"
#include "alert/rules.h"

#include "cli/tool.h"
#include "history/import_nextflow.h"
#include "history/import_sacct.h"
#include "history/paths.h"
#include "history/store.h"
#include "io/json.h"
#include "model/units.h"
#include "predict/model_recorded.h"
#include "predict/models.h"
#include "util/clock.h"
#include "util/log.h"
#include "util/strings.h"

namespace wf::cli {
namespace {

struct HistoryOptions {
  std::string history;  // --history, on every subcommand
  std::vector<std::string> files;
  std::string import_format = "auto";
  std::string run_id, workflow;
  std::string category;
  std::string format;  // per subcommand: table|json, json|csv
  std::string output = "-";
  std::string older_than;
  bool quiet = false;
  alert::Thresholds thresholds;  // anomalies
};

history::Store open_store(const HistoryOptions& o, bool create) {
  std::string path = history::resolve_history_path(o.history.empty() ? std::nullopt : std::optional(o.history));
  history::OpenOptions open;
  open.create = create;
  return history::Store::open(path, open);
}

// A table of left-aligned columns, two spaces apart, the header first.
std::string render_table(const std::vector<std::vector<std::string>>& rows) {
  std::vector<size_t> width;
  for (const auto& r : rows)
    for (size_t c = 0; c < r.size(); ++c) {
      if (width.size() <= c) width.push_back(0);
      width[c] = std::max(width[c], r[c].size());
    }
  std::string out;
  for (const auto& r : rows) {
    std::string line;
    for (size_t c = 0; c < r.size(); ++c) line += c + 1 < r.size() ? fmt::format("{:<{}}  ", r[c], width[c]) : r[c];
    out += std::string(util::trim(line)) + "\n";
  }
  return out;
}

// --- import ----------------------------------------------------------------------------------

// From the first line: a JSON object is WfFormat, '|' separators are sacct, anything else a
// Nextflow trace.
std::string detect_format(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) fail(util::Exit::no_input, "{}: cannot open the file for reading", path);
  std::string line;
  while (std::getline(in, line) && util::trim(line).empty()) {
  }
  std::string_view head = util::trim(line);
  if (head.starts_with("{")) return "wfformat";
  if (head.find('|') != std::string_view::npos) return "sacct";
  return "nextflow";
}

int run_import(const HistoryOptions& o, const Output& out) {
  auto store = open_store(o, true);
  std::vector<std::vector<std::string>> rows = {{"FILE", "FORMAT", "ADDED", "PRESENT", "SKIPPED"}};
  for (const auto& file : o.files) {
    std::string format = o.import_format == "auto" ? detect_format(file) : o.import_format;
    history::ImportOptions io{o.run_id, o.workflow, ""};
    history::ImportResult r;
    if (format == "nextflow") r = history::import_nextflow_trace(store, file, io);
    else if (format == "sacct") r = history::import_sacct(store, file, history::SacctOptions{io, nullptr});
    else r = predict::import_wfformat(store, file, io);
    rows.push_back({file, format, std::to_string(r.added), std::to_string(r.present), std::to_string(r.skipped)});
  }
  out.write("-", render_table(rows));
  return 0;
}

// --- stats -----------------------------------------------------------------------------------

constexpr predict::Measure kShown[] = {predict::Measure::runtime_s, predict::Measure::mem_bytes, predict::Measure::cpus,
                                       predict::Measure::read_bytes, predict::Measure::write_bytes};

std::string show(predict::Measure m, double v) {
  if (m == predict::Measure::runtime_s) return model::format_duration(v);
  if (m == predict::Measure::cpus) return fmt::format("{:.2f}", v);
  return model::format_bytes(v);
}

std::vector<std::string> chosen_categories(history::Store& store, const HistoryOptions& o) {
  std::vector<std::string> all = store.categories();
  if (o.category.empty()) return all;
  if (std::find(all.begin(), all.end(), o.category) == all.end()) {
    auto hint = util::closest(o.category, all);
    fail(util::Exit::data, "{}: no executions of category '{}'{}", store.path(), o.category,
         hint ? fmt::format(" (did you mean '{}'?)", *hint) : std::string());
  }
  return {o.category};
}

io::Json measure_json(const predict::MeasureFit& m, io::Alloc& a) {
  io::Json j(rapidjson::kObjectType);
  io::put(j, "samples", static_cast<uint64_t>(m.summary.n), a);
  if (m.summary.n) {
    io::put(j, "median", io::number(m.summary.median), a);
    io::put(j, "mad", io::number(m.summary.mad), a);
    io::put(j, "p95", io::number(m.summary.p95), a);
  }
  if (m.chosen) {
    io::put(j, "model", m.chosen->name, a);
    io::put(j, "source", predict::to_string(m.chosen->source), a);
    if (m.chosen->error) io::put(j, "error", io::number(*m.chosen->error), a);
  }
  if (m.lower_bound) io::put(j, "p95_at_least", io::number(*m.lower_bound), a);
  io::Json candidates(rapidjson::kArrayType);
  for (const auto& c : m.candidates) {
    io::Json cj(rapidjson::kObjectType);
    io::put(cj, "model", c.name, a);
    io::put(cj, "error", io::number(c.error), a);
    candidates.PushBack(cj, a);
  }
  if (!m.candidates.empty()) io::put(j, "candidates", std::move(candidates), a);
  return j;
}

int run_stats(const HistoryOptions& o, const Output& out) {
  auto store = open_store(o, false);
  predict::Predictor predictor(store);
  std::vector<std::string> categories = chosen_categories(store, o);
  if (o.format == "json") {
    io::JsonDoc doc(rapidjson::kObjectType);
    auto& a = doc.GetAllocator();
    io::put(doc, "history", store.path(), a);
    io::Json list(rapidjson::kArrayType);
    for (const auto& c : categories) {
      const predict::CategoryFit& fit = predictor.fit(c);
      io::Json cj(rapidjson::kObjectType);
      io::put(cj, "category", c, a);
      io::put(cj, "executions", static_cast<uint64_t>(fit.executions), a);
      io::put(cj, "oom", static_cast<uint64_t>(fit.oom), a);
      io::Json measures(rapidjson::kObjectType);
      for (auto m : kShown) io::put(measures, predict::to_string(m), measure_json(fit.at(m), a), a);
      io::put(cj, "measures", std::move(measures), a);
      list.PushBack(cj, a);
    }
    io::put(doc, "categories", std::move(list), a);
    out.write("-", io::to_json(doc));
    return 0;
  }
  std::vector<std::vector<std::string>> rows = {{"CATEGORY", "MEASURE", "SAMPLES", "MEDIAN", "P95", "MODEL", "ERROR"}};
  for (const auto& c : categories) {
    const predict::CategoryFit& fit = predictor.fit(c);
    for (auto m : kShown) {
      const auto& mf = fit.at(m);
      if (!mf.chosen) continue;
      std::string error = mf.chosen->error ? fmt::format("{:.1f}%", 100 * *mf.chosen->error) : "-";
      rows.push_back({c, predict::to_string(m), std::to_string(mf.summary.n), show(m, mf.summary.median),
                      show(m, mf.summary.p95), mf.chosen->name, error});
    }
    if (fit.executions == 0) rows.push_back({c, "-", "0", "-", "-", "-", "-"});
  }
  out.write("-", render_table(rows));
  return 0;
}

// --- anomalies -------------------------------------------------------------------------------

// One measure of one execution past its limit (alert/rules.h), as wf-run's detector would judge it
// after the attempt ended.
struct Anomaly {
  const history::Execution* row;
  alert::Measure measure;
  double value;
  alert::Expected expected;
  alert::Severity severity;
};

// Each category's succeeded executions are the baseline; every execution of the category (of the
// chosen run) is judged against it. Median and MAD are robust: the few outliers being looked for
// barely move them, so no row needs to be left out of its own baseline.
std::vector<Anomaly> find_anomalies(const std::vector<history::Execution>& rows, const HistoryOptions& o) {
  std::vector<history::Execution> succeeded;
  for (const auto& r : rows)
    if (r.status == history::Status::succeeded) succeeded.push_back(r);
  std::vector<Anomaly> out;
  for (alert::Measure m : alert::kMeasures) {
    auto expected = alert::expected_from_history(alert::measure_values(succeeded, m), m, o.thresholds);
    if (!expected) continue;
    for (const auto& r : rows) {
      if (!o.run_id.empty() && r.run_id != o.run_id) continue;
      if (r.status == history::Status::interrupted || r.status == history::Status::cancelled) continue;
      auto v = alert::measure_value(r, m);
      if (!v) continue;
      if (auto severity = alert::judge(*expected, *v, o.thresholds)) out.push_back({&r, m, *v, *expected, *severity});
    }
  }
  return out;
}

std::string show_measure(alert::Measure m, double v) {
  bool time = m == alert::Measure::runtime_s || m == alert::Measure::cpu_time_s;
  return time ? model::format_duration(v) : model::format_bytes(v);
}

io::Json anomaly_json(const Anomaly& an, io::Alloc& a) {
  const history::Execution& r = *an.row;
  io::Json j(rapidjson::kObjectType);
  io::put(j, "run_id", r.run_id, a);
  io::put(j, "workflow", r.workflow, a);
  io::put(j, "task", r.task_id, a);
  io::put(j, "attempt", r.attempt, a);
  io::put(j, "category", r.category, a);
  io::put(j, "status", std::string(history::to_string(r.status)), a);
  io::put(j, "severity", alert::to_string(an.severity), a);
  io::put(j, "kind", alert::kind_name(an.measure), a);
  io::put(j, "measure", alert::measure_name(an.measure), a);
  io::put(j, "value", io::number(an.value), a);
  io::Json ex(rapidjson::kObjectType);
  io::put(ex, "p50", io::number(an.expected.p50), a);
  io::put(ex, "p99", io::number(an.expected.p99), a);
  io::put(ex, "limit", io::number(an.expected.limit), a);
  io::put(ex, "source", an.expected.source, a);
  io::put(ex, "samples", static_cast<uint64_t>(an.expected.samples), a);
  io::put(j, "expected", std::move(ex), a);
  if (auto z = alert::robust_z(an.expected, an.value)) io::put(j, "z", io::number(std::round(*z * 100) / 100), a);
  if (r.end_s) io::put(j, "end", util::iso8601(*r.end_s), a);
  return j;
}

int run_anomalies(const HistoryOptions& o, const Output& out) {
  auto store = open_store(o, false);
  std::vector<std::string> categories = chosen_categories(store, o);
  history::QueryOptions all;
  all.only_succeeded = false;
  std::vector<std::vector<history::Execution>> rows;  // kept alive: anomalies point into them
  std::vector<Anomaly> found;
  size_t judged = 0;
  for (const auto& c : categories) {
    rows.push_back(store.samples(c, all));
    for (const auto& r : rows.back()) judged += o.run_id.empty() || r.run_id == o.run_id;
  }
  for (const auto& r : rows) {
    auto f = find_anomalies(r, o);
    // Per category: by end time, then id (the rows' order), then measure.
    std::stable_sort(f.begin(), f.end(), [](const Anomaly& x, const Anomaly& y) { return x.row < y.row; });
    found.insert(found.end(), f.begin(), f.end());
  }
  util::note("{}: {} anomal{} among {} execution{} (threshold z {}, at least {} samples)", store.path(), found.size(),
             found.size() == 1 ? "y" : "ies", judged, judged == 1 ? "" : "s", util::format_number(o.thresholds.z),
             o.thresholds.min_samples);
  if (o.format == "json") {
    io::JsonDoc doc(rapidjson::kArrayType);
    for (const auto& an : found) doc.PushBack(anomaly_json(an, doc.GetAllocator()), doc.GetAllocator());
    out.write("-", io::to_json(doc));
    return 0;
  }
  std::vector<std::vector<std::string>> table = {{"RUN", "TASK", "ATTEMPT", "CATEGORY", "KIND", "SEVERITY", "VALUE", "P50", "LIMIT", "Z"}};
  for (const auto& an : found) {
    auto z = alert::robust_z(an.expected, an.value);
    table.push_back({an.row->run_id, an.row->task_id, std::to_string(an.row->attempt), an.row->category,
                     std::string(alert::kind_name(an.measure)), std::string(alert::to_string(an.severity)),
                     show_measure(an.measure, an.value), show_measure(an.measure, an.expected.p50),
                     show_measure(an.measure, an.expected.limit), z ? fmt::format("{:.1f}", *z) : "-"});
  }
  out.write("-", render_table(table));
  return 0;
}

// --- export / runs ---------------------------------------------------------------------------

io::Json execution_json(const history::Execution& e, io::Alloc& a) {
  io::Json j(rapidjson::kObjectType);
  io::put(j, "id", static_cast<int64_t>(e.id), a);
  io::put(j, "run_id", e.run_id, a);
  io::put(j, "workflow", e.workflow, a);
  io::put(j, "task_id", e.task_id, a);
  io::put(j, "category", e.category, a);
  if (!e.native_id.empty()) io::put(j, "native_id", e.native_id, a);
  io::Json features(rapidjson::kObjectType);
  for (const auto& [name, value] : e.features) io::put(features, name, io::number(value), a);
  io::put(j, "features", std::move(features), a);
  auto num = [&](const char* key, std::optional<double> v) {
    if (v) io::put(j, key, io::number(*v), a);
  };
  num("start_s", e.start_s), num("end_s", e.end_s), num("runtime_s", e.runtime_s), num("cpu_time_s", e.cpu_time_s);
  io::put(j, "peak_rss_bytes", e.peak_rss_bytes, a);
  io::put(j, "read_bytes", e.read_bytes, a);
  io::put(j, "write_bytes", e.write_bytes, a);
  io::put(j, "exit_code", e.exit_code, a);
  if (e.signal) io::put(j, "signal", e.signal, a);
  io::put(j, "status", std::string(history::to_string(e.status)), a);
  io::put(j, "attempt", e.attempt, a);
  io::put(j, "mem_reserved_bytes", e.mem_reserved_bytes, a);
  num("cpus_reserved", e.cpus_reserved);
  if (!e.host.empty()) io::put(j, "host", e.host, a);
  num("host_runnable", e.host_runnable), num("host_cpus", e.host_cpus);
  io::put(j, "executor", e.executor, a);
  if (!e.source.empty()) io::put(j, "source", e.source, a);
  return j;
}

std::string csv_field(std::string_view s) {
  if (s.find_first_of(",\"\n\r") == std::string_view::npos) return std::string(s);
  std::string q = "\"";
  for (char c : s) q += c == '"' ? std::string("\"\"") : std::string(1, c);
  return q + "\"";
}

std::string export_csv(const std::vector<history::Execution>& rows) {
  std::string out =
      "id,run_id,workflow,task_id,category,native_id,features,start_s,end_s,runtime_s,cpu_time_s,peak_rss_bytes,"
      "read_bytes,write_bytes,exit_code,signal,status,attempt,mem_reserved_bytes,cpus_reserved,host,executor,source,host_runnable,host_cpus\n";
  auto opt = [](const auto& v) { return v ? util::format_number(static_cast<double>(*v)) : std::string(); };
  for (const auto& e : rows) {
    std::string features;
    for (const auto& [name, value] : e.features)
      features += fmt::format("{}{}={}", features.empty() ? "" : ";", name, util::format_number(value));
    std::vector<std::string> f = {std::to_string(e.id), csv_field(e.run_id), csv_field(e.workflow),
                                  csv_field(e.task_id), csv_field(e.category), csv_field(e.native_id),
                                  csv_field(features), opt(e.start_s), opt(e.end_s), opt(e.runtime_s),
                                  opt(e.cpu_time_s), opt(e.peak_rss_bytes), opt(e.read_bytes), opt(e.write_bytes),
                                  opt(e.exit_code), std::to_string(e.signal), std::string(history::to_string(e.status)),
                                  std::to_string(e.attempt), opt(e.mem_reserved_bytes), opt(e.cpus_reserved),
                                  csv_field(e.host), csv_field(e.executor), csv_field(e.source),
                                  opt(e.host_runnable), opt(e.host_cpus)};
    out += fmt::format("{}\n", fmt::join(f, ","));
  }
  return out;
}

int run_export(const HistoryOptions& o, const Output& out) {
  auto store = open_store(o, false);
  auto rows = store.export_all();
  if (o.format == "csv") {
    out.write(o.output, export_csv(rows));
    return 0;
  }
  io::JsonDoc doc(rapidjson::kArrayType);
  for (const auto& e : rows) doc.PushBack(execution_json(e, doc.GetAllocator()), doc.GetAllocator());
  out.write(o.output, io::to_json(doc));
  return 0;
}

int run_runs(const HistoryOptions& o, const Output& out) {
  auto store = open_store(o, false);
  auto runs = store.runs();
  auto when = [](const std::optional<double>& t) { return t ? util::iso8601(*t) : std::string("-"); };
  if (o.format == "json") {
    io::JsonDoc doc(rapidjson::kArrayType);
    auto& a = doc.GetAllocator();
    for (const auto& r : runs) {
      io::Json j(rapidjson::kObjectType);
      io::put(j, "run_id", r.run_id, a);
      io::put(j, "workflow", r.workflow, a);
      io::put(j, "executions", static_cast<uint64_t>(r.executions), a);
      io::put(j, "succeeded", static_cast<uint64_t>(r.succeeded), a);
      if (r.first_start_s) io::put(j, "first_start", util::iso8601(*r.first_start_s), a);
      if (r.last_end_s) io::put(j, "last_end", util::iso8601(*r.last_end_s), a);
      doc.PushBack(j, a);
    }
    out.write("-", io::to_json(doc));
    return 0;
  }
  std::vector<std::vector<std::string>> rows = {{"RUN", "WORKFLOW", "EXECUTIONS", "SUCCEEDED", "FIRST START", "LAST END"}};
  for (const auto& r : runs)
    rows.push_back({r.run_id, r.workflow, std::to_string(r.executions), std::to_string(r.succeeded),
                    when(r.first_start_s), when(r.last_end_s)});
  out.write("-", render_table(rows));
  return 0;
}

// --- upkeep ----------------------------------------------------------------------------------

int run_prune(const HistoryOptions& o) {
  std::string why;
  auto age = model::parse_duration(o.older_than, &why);
  if (!age || *age < 0) fail(util::Exit::usage, "--older-than: cannot read '{}' as a duration: {}", o.older_than, why);
  auto store = open_store(o, false);
  double cutoff = util::real_clock().wall() - *age;
  size_t deleted = store.prune(cutoff);
  util::note("{}: deleted {} executions that ended before {}", store.path(), deleted, util::iso8601(cutoff));
  return 0;
}

int run_check(const HistoryOptions& o) {
  auto store = open_store(o, false);
  std::vector<std::string> problems = store.check();
  for (const auto& e : store.export_all())
    if (auto p = history::find_problem(e)) problems.push_back(fmt::format("row {}: {}: {}", e.id, history::describe(e), *p));
  for (const auto& p : problems) util::diag(util::Severity::error, fmt::format("{}: {}", store.path(), p));
  if (!problems.empty()) return util::code(util::Exit::failed);
  util::note("{}: sound, {} executions", store.path(), store.count());
  return 0;
}

int run_vacuum(const HistoryOptions& o) {
  auto store = open_store(o, false);
  store.vacuum();
  util::note("{}: vacuumed", store.path());
  return 0;
}

}  // namespace

int history_main(int argc, const char* const* argv, const Output& out) {
  CLI::App app{"Manage the history of task executions that wf-predict learns from: import executions\n"
               "recorded elsewhere (Nextflow traces, Slurm sacct output, WfFormat instances), show what the\n"
               "predictor learns per category, export, prune and check the database.",
               "wf-history"};
  HistoryOptions o;
  app.require_subcommand(1);
  const std::string history_help = "history database (default: $WF_HISTORY, else ~/.local/share/wf/history.db)";
  auto common = [&](CLI::App* sub) {
    sub->add_option("--history", o.history, history_help)->type_name("PATH");
    sub->add_flag("-q,--quiet", o.quiet, "print errors only, no notes");
  };
  CLI::App* imp = app.add_subcommand("import", "import executions from Nextflow traces, sacct output or WfFormat instances");
  imp->add_option("files", o.files, "files to import")->required()->type_name("FILE");
  imp->add_option("--format", o.import_format, "input format")
      ->check(CLI::IsMember({"auto", "nextflow", "sacct", "wfformat"}))
      ->capture_default_str();
  imp->add_option("--run-id", o.run_id, "run id of the imported executions (default: the file's stem)")->type_name("ID");
  imp->add_option("--workflow", o.workflow, "workflow name (default: the instance's name, else the run id)")->type_name("NAME");
  CLI::App* stats = app.add_subcommand("stats", "per category: samples, median, p95, and the model the predictor chooses");
  stats->add_option("category", o.category, "only this category")->type_name("CATEGORY");
  stats->add_option("--format", o.format, "output format")->check(CLI::IsMember({"table", "json"}))->default_str("table");
  CLI::App* anomalies = app.add_subcommand("anomalies", "executions whose runtime, memory, CPU or I/O is anomalous for their category");
  anomalies->add_option("--run", o.run_id, "only the executions of this run")->type_name("RUN");
  anomalies->add_option("--category", o.category, "only this category")->type_name("CATEGORY");
  anomalies->add_option("--threshold", o.thresholds.z, "robust z-score (log scale) past which a value is anomalous")
      ->capture_default_str()->check(CLI::PositiveNumber)->type_name("K");
  anomalies->add_option("--min-samples", o.thresholds.min_samples, "succeeded executions a category needs to be judged")
      ->capture_default_str()->check(CLI::Range(2, 1000000))->type_name("N");
  anomalies->add_option_function<double>("--time-floor", [&o](double v) { o.thresholds.runtime_floor_s = o.thresholds.cpu_floor_s = v; },
                                         "runtime and CPU time within this many seconds of the median are never anomalous (default: 10)")
      ->check(CLI::NonNegativeNumber)->type_name("SECONDS");
  anomalies->add_option("--format", o.format, "output format")->check(CLI::IsMember({"table", "json"}))->default_str("table");
  CLI::App* exp = app.add_subcommand("export", "every execution, oldest first");
  exp->add_option("--format", o.format, "output format")->check(CLI::IsMember({"json", "csv"}))->default_str("json");
  exp->add_option("-o,--output", o.output, "write to FILE, atomically ('-' for stdout)")->type_name("FILE");
  CLI::App* runs = app.add_subcommand("runs", "one line per run: executions, successes, first start, last end");
  runs->add_option("--format", o.format, "output format")->check(CLI::IsMember({"table", "json"}))->default_str("table");
  CLI::App* prune = app.add_subcommand("prune", "delete executions that ended before a given age");
  prune->add_option("--older-than", o.older_than, "age, e.g. 90d, 12h")->required()->type_name("DURATION");
  CLI::App* check = app.add_subcommand("check", "check the database's integrity (exit 1 on problems)");
  CLI::App* vacuum = app.add_subcommand("vacuum", "compact the database file");
  for (CLI::App* sub : {imp, stats, anomalies, exp, runs, prune, check, vacuum}) common(sub);
  app.footer("Exit: 0 ok, 1 check found problems, 64 usage, 65 bad input (FILE:LINE named), 66 no input,\n"
             "75 database locked. See wf-history(1).");
  return run_tool("wf-history", app, argc, argv, [&] {
    util::set_quiet(o.quiet);
    if (o.format.empty()) o.format = *exp ? "json" : "table";
    if (*imp) return run_import(o, out);
    if (*stats) return run_stats(o, out);
    if (*anomalies) return run_anomalies(o, out);
    if (*exp) return run_export(o, out);
    if (*runs) return run_runs(o, out);
    if (*prune) return run_prune(o);
    if (*check) return run_check(o);
    return run_vacuum(o);
  });
}

}  // namespace wf::cli
