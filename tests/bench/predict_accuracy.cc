// Per-task prediction accuracy on the WfCommons families with several sizes: train on the smaller
// instances, predict every task of the largest, score against what the largest recorded.
//
//   bench_predict_accuracy [WFCOMMONS_DIR]
//
// Per family: the target is the instance with the most tasks (ties: the larger total recorded
// runtime, then the name); history is every instance of another size (the size is the name between
// "chameleon-" and the repeat number, so repeats of the target's size are left out). Reported per
// family, for runtime and memory: the median absolute percentage error of p50 against the recorded
// value, the same for the category-median baseline (the predictor restricted to "median"), and how
// often the recorded value is at most p50 / p95 (calibrated: 50% / 95%). Then the same held-out
// calibration on exchangeable data (leave-one-out across each family's instances of one size is
// not possible with 1–2 repeats, so: a seeded 50/50 split of each family's pooled tasks), and the
// speed of estimating 10,000 tasks of 20 categories. Prints a note and exits 0 without traces.
#include <algorithm>
#include <cstdlib>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <map>
#include <string>
#include <tuple>
#include <vector>

#include <fmt/format.h>

#include "io/document.h"
#include "predict/model_recorded.h"
#include "predict/forecast.h"
#include "predict/models.h"

namespace fs = std::filesystem;
using namespace wf;
using namespace wf::predict;

namespace {

const std::vector<std::string> kFamilies = {"1000genome", "cycles",    "epigenomics", "montage", "seismology",
                                            "soykb",      "srasearch", "blast",       "bwa"};

struct Instance {
  std::string name;  // file stem
  std::string size;  // "250k-22ch"-like label: the stem without the family, site and repeat
  model::Workflow wf;
  double total_runtime_s = 0;
};

std::string size_label(const std::string& stem) {
  std::string s = stem;
  if (auto p = s.find("chameleon-"); p != std::string::npos) s = s.substr(p + 10);
  if (auto p = s.rfind('-'); p != std::string::npos) s = s.substr(0, p);
  return s;
}

std::vector<Instance> load_family(const fs::path& dir) {
  std::vector<fs::path> files;
  for (const auto& f : fs::directory_iterator(dir))
    if (f.path().extension() == ".json") files.push_back(f.path());
  std::sort(files.begin(), files.end());
  std::vector<Instance> out;
  for (const auto& f : files) {
    auto doc = io::Document::load(f.string());
    doc.diagnostics().finish();
    Instance in{f.stem().string(), size_label(f.stem().string()), doc.workflow(), 0};
    for (const auto& t : in.wf.tasks) in.total_runtime_s += t.recorded.runtime_s.value_or(0);
    out.push_back(std::move(in));
  }
  return out;
}

// Scores of one measure over the tasks that recorded it.
struct Score {
  size_t n = 0;
  double mdape = 0, baseline_mdape = 0;
  double under_p50 = 0, under_p95 = 0;  // fractions of tasks whose recorded value is <= p50 / p95
};

double median_of(std::vector<double> v) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  size_t m = v.size() / 2;
  return v.size() % 2 ? v[m] : (v[m - 1] + v[m]) / 2;
}

using Pick = double (*)(const model::Recorded&, bool& has);
using Get = const Quantiles& (*)(const Estimate&);

Score score(const model::Workflow& wf, const std::vector<Estimate>& est, const std::vector<Estimate>& base, Pick pick,
            Get get) {
  Score s;
  std::vector<double> ape, base_ape;
  double u50 = 0, u95 = 0;
  for (size_t i = 0; i < wf.tasks.size(); ++i) {
    bool has = false;
    double y = pick(wf.tasks[i].recorded, has);
    if (!has || y <= 0) continue;
    const Quantiles& q = get(est[i]);
    ape.push_back(std::abs(q.p50 - y) / y);
    base_ape.push_back(std::abs(get(base[i]).p50 - y) / y);
    u50 += y <= q.p50;
    u95 += y <= q.p95;
  }
  s.n = ape.size();
  if (s.n == 0) return s;
  s.mdape = median_of(ape);
  s.baseline_mdape = median_of(base_ape);
  s.under_p50 = u50 / static_cast<double>(s.n);
  s.under_p95 = u95 / static_cast<double>(s.n);
  return s;
}

double runtime_of(const model::Recorded& r, bool& has) {
  has = r.runtime_s.has_value();
  return r.runtime_s.value_or(0);
}
double mem_of(const model::Recorded& r, bool& has) {
  has = r.mem_bytes.has_value();
  return static_cast<double>(r.mem_bytes.value_or(0));
}
const Quantiles& runtime_q(const Estimate& e) { return e.runtime_s; }
const Quantiles& mem_q(const Estimate& e) { return e.mem_bytes; }

std::string pct(double v) { return fmt::format("{:.1f}%", 100 * v); }
std::string cell(const Score& s, double Score::*field) { return s.n ? pct(s.*field) : "–"; }

struct Totals {
  size_t tasks = 0, under95 = 0;
};

// The workflow-level forecast against truth (traces.md): truth is the unlimited-capacity schedule
// fed with the recorded per-task values; the forecast is the same schedule fed with the predicted
// distributions (200 samples). Compared: peak concurrent tasks, peak cores used, peak memory.
// `independent` is the same forecast as the simulator drew it before correlations were learned:
// run correlations 0 (each task on its own) and every measure at the runtime's level.
struct PeakRow {
  std::string family;
  double truth[3] = {0, 0, 0}, p50[3] = {0, 0, 0}, p95[3] = {0, 0, 0};
  double indep_p50[3] = {0, 0, 0}, indep_p95[3] = {0, 0, 0};
};
std::vector<PeakRow> g_peaks;
// The run correlations learned for the target's three largest categories (fit_correlation.h).
std::vector<std::string> g_correlations;

void peak_compare(const std::string& family, const model::Workflow& wf, const std::vector<Estimate>& est) {
  model::Dag dag(wf);
  std::vector<Estimate> truth_est;
  for (const auto& t : wf.tasks) truth_est.push_back(recorded_estimate(t).value_or(hint_estimate(t)));
  ForecastOptions one;
  one.samples = 1;
  auto truth = forecast(wf, dag, truth_est, one);
  ForecastOptions many;
  many.samples = 200;
  // WF_BENCH_SEED: another Monte Carlo seed, to see how much a p95 moves with it.
  if (const char* seed = std::getenv("WF_BENCH_SEED")) many.seed = std::strtoull(seed, nullptr, 10);
  auto f = forecast(wf, dag, est, many);
  std::vector<Estimate> independent = est;
  for (auto& e : independent)
    for (Provenance* p : {&e.runtime_from, &e.cpus_from, &e.mem_from, &e.io_from}) p->run_correlation = 0, p->with_runtime = 1;
  auto g = forecast(wf, dag, independent, many);
  PeakRow row{family};
  row.indep_p50[0] = g.peak_tasks.p50;
  row.indep_p50[1] = g.peak_used_cpus.p50;
  row.indep_p50[2] = g.peak_used_mem_bytes.p50;
  row.indep_p95[0] = g.peak_tasks.p95;
  row.indep_p95[1] = g.peak_used_cpus.p95;
  row.indep_p95[2] = g.peak_used_mem_bytes.p95;
  row.truth[0] = truth.peak_tasks.p50;
  row.truth[1] = truth.peak_used_cpus.p50;
  row.truth[2] = truth.peak_used_mem_bytes.p50;
  row.p50[0] = f.peak_tasks.p50;
  row.p50[1] = f.peak_used_cpus.p50;
  row.p50[2] = f.peak_used_mem_bytes.p50;
  row.p95[0] = f.peak_tasks.p95;
  row.p95[1] = f.peak_used_cpus.p95;
  row.p95[2] = f.peak_used_mem_bytes.p95;
  g_peaks.push_back(row);
}

void print_peak_table(bool independent) {
  fmt::print("\n### Workflow peaks (unlimited capacity), {}: forecast p50 error and p95 >= truth\n\n"
             "| family | tasks: truth / p50 / p95 | cores: truth / p50 / p95 | memory GB: truth / p50 / p95 |\n|---|---|---|---|\n",
             independent ? "before: tasks independent, measures at one level" : "after: correlations learned from history");
  const char* names[3] = {"tasks", "cores", "memory"};
  std::vector<double> errors[3];
  size_t covered[3] = {0, 0, 0}, n[3] = {0, 0, 0};
  for (const auto& r : g_peaks) {
    std::string cells[3];
    for (int k = 0; k < 3; ++k) {
      double scale = k == 2 ? 1e9 : 1;
      double p50 = independent ? r.indep_p50[k] : r.p50[k], p95 = independent ? r.indep_p95[k] : r.p95[k];
      if (r.truth[k] <= 0) {
        cells[k] = "–";
        continue;
      }
      cells[k] = fmt::format("{:.4g} / {:.4g} / {:.4g}", r.truth[k] / scale, p50 / scale, p95 / scale);
      errors[k].push_back(std::fabs(p50 - r.truth[k]) / r.truth[k]);
      ++n[k];
      if (p95 >= r.truth[k] * (1 - 1e-9)) ++covered[k];
    }
    fmt::print("| {} | {} | {} | {} |\n", r.family, cells[0], cells[1], cells[2]);
  }
  for (int k = 0; k < 3; ++k)
    if (n[k])
      fmt::print("{}: median error of the p50 peak {}, p95 peak >= truth in {}/{} families\n", names[k], pct(median_of(errors[k])),
                 covered[k], n[k]);
}

void print_peaks() {
  fmt::print("\n### Correlations learned for the target's largest categories: within a run (runtime / cpus / memory), and cpus with runtime\n\n"
             "| family | category (tasks): run correlation of runtime / cpus / memory; cpus with runtime |\n|---|---|\n");
  for (const auto& line : g_correlations) fmt::print("{}\n", line);
  print_peak_table(true);
  print_peak_table(false);
}

void note_correlations(const std::string& family, const model::Workflow& wf, Predictor& p) {
  std::map<std::string, size_t> count;
  for (const auto& t : wf.tasks) ++count[category_of(t)];
  std::vector<std::pair<size_t, std::string>> by_size;
  for (const auto& [c, k] : count) by_size.push_back({k, c});
  std::sort(by_size.begin(), by_size.end(), [](const auto& a, const auto& b) { return a.first != b.first ? a.first > b.first : a.second < b.second; });
  std::string cells;
  for (size_t i = 0; i < std::min<size_t>(3, by_size.size()); ++i) {
    const CategoryFit& f = p.fit(by_size[i].second);
    auto rho = [&](Measure m) {
      const auto& chosen = f.at(m).chosen;
      return chosen ? fmt::format("{:.2f}", chosen->run_correlation) : std::string("–");
    };
    cells += fmt::format("{}{} ({}): {} / {} / {}; {:.2f}", cells.empty() ? "" : "; ", by_size[i].second, by_size[i].first,
                         rho(Measure::runtime_s), rho(Measure::cpus), rho(Measure::mem_bytes), f.at(Measure::cpus).with_runtime);
  }
  g_correlations.push_back(fmt::format("| {} | {} |", family, cells));
}

// Train on everything but the target's size; predict the target.
void run_family(const std::string& family, const std::vector<Instance>& inst, Totals& totals) {
  const Instance* target = &inst[0];
  for (const auto& in : inst)
    if (std::make_tuple(in.wf.tasks.size(), in.total_runtime_s, std::cref(in.name)) >
        std::make_tuple(target->wf.tasks.size(), target->total_runtime_s, std::cref(target->name)))
      target = &in;
  std::vector<history::Execution> rows;
  size_t trained_on = 0;
  for (const auto& in : inst) {
    if (in.size == target->size) continue;
    ++trained_on;
    auto r = executions_from_recorded(in.wf, {in.name, family, ""});
    rows.insert(rows.end(), r.begin(), r.end());
  }
  Predictor p = Predictor::from_executions(rows);
  PredictorOptions median_only;
  median_only.min_model_samples = SIZE_MAX;
  Predictor base = Predictor::from_executions(rows, median_only);
  auto est = estimate_all(p, target->wf);
  auto est_base = estimate_all(base, target->wf);
  peak_compare(family, target->wf, est);
  note_correlations(family, target->wf, p);
  Score rt = score(target->wf, est, est_base, runtime_of, runtime_q);
  Score mem = score(target->wf, est, est_base, mem_of, mem_q);
  std::map<std::string, size_t> sources;
  for (const auto& e : est) ++sources[e.runtime_from.model.substr(0, e.runtime_from.model.find(' '))];
  std::string used;
  for (const auto& [m, n] : sources) used += fmt::format("{}{} {}", used.empty() ? "" : ", ", m, n);
  fmt::print("| {} | {} ({} tasks) | {} / {} | {} | {} | {} | {} | {} | {} | {} | {} | {} |\n", family, target->name,
             target->wf.tasks.size(), trained_on, rows.size(), cell(rt, &Score::mdape), cell(rt, &Score::baseline_mdape),
             cell(rt, &Score::under_p50), cell(rt, &Score::under_p95), cell(mem, &Score::mdape),
             cell(mem, &Score::baseline_mdape), cell(mem, &Score::under_p50), cell(mem, &Score::under_p95), used);
  totals.tasks += rt.n;
  totals.under95 += static_cast<size_t>(std::lround(rt.under_p95 * static_cast<double>(rt.n)));
}

// Exchangeable calibration: each family's tasks (all sizes) split by a seeded hash into halves;
// train on one, score the coverage of every quantile level of runtime and CPU use on the other.
// "mirror" is the p10 a distribution known only from p50 up would have (p50² / p90): what the
// lower quantiles replaced.
void exchangeable(const std::map<std::string, std::vector<Instance>>& families) {
  struct Measure {
    const char* name;
    Quantiles Estimate::*q;
    std::optional<double> (*truth)(const model::Task&);
  };
  const Measure measures[] = {
      {"runtime", &Estimate::runtime_s, [](const model::Task& t) { return t.recorded.runtime_s; }},
      {"cpus", &Estimate::cpus,
       [](const model::Task& t) -> std::optional<double> {
         if (!t.recorded.cpu_percent) return std::nullopt;
         return std::max(*t.recorded.cpu_percent / 100.0, 0.01);  // as executions_from_recorded stores it
       }},
  };
  std::map<std::string, std::pair<model::Workflow, std::vector<Estimate>>> split;
  for (const auto& [family, inst] : families) {
    std::vector<history::Execution> train;
    model::Workflow test;
    uint64_t h = 1996;
    for (const auto& in : inst) {
      for (const auto& t : in.wf.tasks) {
        h = h * 6364136223846793005ull + 1442695040888963407ull;
        if ((h >> 33) & 1) {
          test.tasks.push_back(t);
        } else if (auto e = execution_from_recorded(in.wf, t, {in.name, family, ""})) {
          train.push_back(std::move(*e));
        }
      }
    }
    Predictor p = Predictor::from_executions(train);
    auto est = estimate_all(p, test);
    split.emplace(family, std::make_pair(std::move(test), std::move(est)));
  }
  for (const Measure& m : measures) {
    fmt::print("\n{}: | family | test tasks | <= p10 | <= mirror p10 | <= p25 | <= p50 | <= p90 | <= p95 | <= p99 | MdAPE |\n"
               "|---|---|---|---|---|---|---|---|---|---|\n",
               m.name);
    size_t all_n = 0, all_u[7] = {};
    for (const auto& [family, te] : split) {
      const auto& [test, est] = te;
      size_t n = 0, u[7] = {};
      std::vector<double> ape;
      for (size_t i = 0; i < test.tasks.size(); ++i) {
        auto y = m.truth(test.tasks[i]);
        if (!y || *y <= 0) continue;
        const Quantiles& q = est[i].*m.q;
        double mirror = q.p50 > 0 && q.p90 > 0 ? q.p50 * q.p50 / q.p90 : q.p50;
        ++n;
        double levels[7] = {q.lower10(), mirror, q.lower25(), q.p50, q.p90, q.p95, q.p99};
        for (int k = 0; k < 7; ++k) u[k] += *y <= levels[k];
        ape.push_back(std::abs(q.p50 - *y) / *y);
      }
      if (n == 0) continue;
      auto f = [&](size_t k) { return pct(static_cast<double>(k) / static_cast<double>(n)); };
      fmt::print("| {} | {} | {} | {} | {} | {} | {} | {} | {} | {} |\n", family, n, f(u[0]), f(u[1]), f(u[2]), f(u[3]),
                 f(u[4]), f(u[5]), f(u[6]), pct(median_of(ape)));
      all_n += n;
      for (int k = 0; k < 7; ++k) all_u[k] += u[k];
    }
    if (all_n == 0) continue;  // no family recorded this measure
    auto f = [&](size_t k) { return pct(static_cast<double>(k) / static_cast<double>(all_n)); };
    fmt::print("| all | {} | {} | {} | {} | {} | {} | {} | {} | |\n", all_n, f(all_u[0]), f(all_u[1]), f(all_u[2]),
               f(all_u[3]), f(all_u[4]), f(all_u[5]), f(all_u[6]));
  }
}

// 20 categories × 400 rows of history, then 10,000 tasks: the time to fit and to estimate.
void speed() {
  std::vector<history::Execution> rows;
  uint64_t h = 7;
  auto uniform = [&] {
    h = h * 6364136223846793005ull + 1442695040888963407ull;
    return (static_cast<double>(h >> 11) + 0.5) * 0x1.0p-53;
  };
  for (int c = 0; c < 20; ++c)
    for (int i = 0; i < 400; ++i) {
      history::Execution e;
      e.run_id = "r";
      e.task_id = fmt::format("t{}_{}", c, i);
      e.category = fmt::format("cat{}", c);
      double in = 1e6 * std::pow(1e4, uniform());
      e.features = {{"cpus", 1 + i % 4}, {"input_bytes", in}};
      e.runtime_s = 1e-4 * std::pow(in, 0.7) * std::exp(uniform() - 0.5);
      e.cpu_time_s = *e.runtime_s * (0.5 + uniform());
      e.peak_rss_bytes = static_cast<std::int64_t>(1e8 + in * (0.5 + uniform()));
      e.read_bytes = static_cast<std::int64_t>(in);
      e.write_bytes = static_cast<std::int64_t>(in * uniform());
      rows.push_back(std::move(e));
    }
  model::Workflow wf;
  for (int i = 0; i < 10000; ++i) {
    model::Task t;
    t.id = fmt::format("task{}", i);
    t.category = fmt::format("cat{}", i % 20);
    t.inputs.push_back({"in", static_cast<uint64_t>(1e6 * std::pow(1e4, uniform()))});
    t.hints.cpus = 1 + i % 4;
    wf.tasks.push_back(std::move(t));
  }
  Predictor p = Predictor::from_executions(rows);
  auto t0 = std::chrono::steady_clock::now();
  for (int c = 0; c < 20; ++c) p.fit(fmt::format("cat{}", c));
  auto t1 = std::chrono::steady_clock::now();
  auto est = estimate_all(p, wf);
  auto t2 = std::chrono::steady_clock::now();
  auto ms = [](auto a, auto b) { return std::chrono::duration<double, std::milli>(b - a).count(); };
  fmt::print("\nspeed: fitting 20 categories × 400 rows × 5 measures: {:.0f} ms; estimating {} tasks: {:.1f} ms "
             "({:.2f} µs per task)\n",
             ms(t0, t1), est.size(), ms(t1, t2), 1000 * ms(t1, t2) / static_cast<double>(est.size()));
}

}  // namespace

int main(int argc, char** argv) {
  fs::path dir = argc > 1 ? fs::path(argv[1]) : fs::path(WF_SHARED_DIR "/traces/wfcommons");
  speed();
  if (!fs::is_directory(dir)) {
    fmt::print("note: {} not found: no trace figures\n", dir.string());
    return 0;
  }
  std::map<std::string, std::vector<Instance>> families;
  for (const auto& f : kFamilies)
    if (fs::is_directory(dir / f)) families[f] = load_family(dir / f);
  fmt::print("\n| family | target | trained on (instances / rows) | runtime MdAPE | median-only | <= p50 | <= p95 "
             "| memory MdAPE | median-only | <= p50 | <= p95 | runtime models used |\n"
             "|---|---|---|---|---|---|---|---|---|---|---|---|\n");
  Totals totals;
  for (const auto& f : kFamilies)
    if (families.count(f)) run_family(f, families[f], totals);
  fmt::print("| all | | | | | | {} | | | | | |\n",
             pct(static_cast<double>(totals.under95) / static_cast<double>(std::max<size_t>(totals.tasks, 1))));
  print_peaks();
  exchangeable(families);
  return 0;
}
