// How often the anomaly detector (lib/alert/rules.h) flags real executions, and whether it finds
// injected anomalies: a time-ordered replay of the six nf-core Nextflow traces.
//
//   bench_alert_false_alarms [TRACES_DIR]
//
// Every execution, in order of its end time, is judged as wf-run judges an attempt that ended:
// against the robust baseline (median / MAD on the log scale) of the succeeded executions of its
// category that ended before it (the most recent 1000, as wf-run reads them), when there are at
// least min_samples of them. The traces hold no anomaly that anyone labelled, so every flag is
// counted as a false alarm: an upper bound on the false-alarm rate. Then each judged execution
// is replayed with its runtime x3 (and, separately, its peak memory x3) to count how many of those
// the detector catches. Prints a note and exits 0 without traces.
#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "alert/history_values.h"
#include "alert/rules.h"
#include "history/import.h"
#include "history/import_nextflow.h"

namespace fs = std::filesystem;
using namespace wf;
using namespace wf::alert;

namespace {

const std::vector<std::string> kWorkflows = {"chipseq", "eager", "iwd", "mag", "methylseq", "rnaseq"};
constexpr size_t kWindow = 1000;

// One execution's baselines, computed once; the limits follow each variant's thresholds.
struct Judged {
  std::array<std::optional<double>, kMeasureCount> value;
  std::array<std::optional<Expected>, kMeasureCount> expected;
};

double limit_of(const Expected& e, Measure m, const Thresholds& t) {
  return std::max(std::exp(e.log_median + t.z * e.log_spread), e.p50 + t.floor_of(m));
}

std::vector<Judged> replay(std::vector<history::Execution> rows, const Thresholds& base) {
  std::stable_sort(rows.begin(), rows.end(), [](const auto& a, const auto& b) { return a.end_s.value_or(0) < b.end_s.value_or(0); });
  std::map<std::string, std::vector<const history::Execution*>> before;  // succeeded, by category
  std::vector<Judged> out;
  for (const auto& r : rows) {
    if (r.status == history::Status::cancelled || r.status == history::Status::interrupted) continue;
    auto& prior = before[r.category];
    Judged j;
    bool any = false;
    for (Measure m : kMeasures) {
      size_t i = static_cast<size_t>(m);
      j.value[i] = measure_value(r, m);
      std::vector<double> values;
      for (size_t k = prior.size() > kWindow ? prior.size() - kWindow : 0; k < prior.size(); ++k)
        if (auto v = measure_value(*prior[k], m)) values.push_back(*v);
      j.expected[i] = expected_from_history(values, m, base);
      any = any || (j.expected[i] && j.value[i]);
    }
    if (any) out.push_back(j);
    if (r.status == history::Status::succeeded) prior.push_back(&r);
  }
  return out;
}

struct Counts {
  size_t judged = 0, flagged = 0;
  std::array<size_t, kMeasureCount> by_measure{};
};

Counts count(const std::vector<Judged>& js, const Thresholds& t) {
  Counts c;
  c.judged = js.size();
  for (const auto& j : js) {
    bool any = false;
    for (Measure m : kMeasures) {
      size_t i = static_cast<size_t>(m);
      if (j.expected[i] && j.value[i] && *j.value[i] > limit_of(*j.expected[i], m, t)) {
        ++c.by_measure[i];
        any = true;
      }
    }
    c.flagged += any;
  }
  return c;
}

// Of the judged executions with a baseline for `m`: how many are caught once `m` is multiplied by
// `factor`; `min_p50` keeps only those whose typical value is at least that.
std::pair<size_t, size_t> injected(const std::vector<Judged>& js, Measure m, double factor, const Thresholds& t, double min_p50) {
  size_t n = 0, caught = 0;
  size_t i = static_cast<size_t>(m);
  for (const auto& j : js) {
    if (!j.expected[i] || !j.value[i] || *j.value[i] <= 0 || j.expected[i]->p50 < min_p50) continue;
    ++n;
    caught += *j.value[i] * factor > limit_of(*j.expected[i], m, t);
  }
  return {n, caught};
}

std::string pct(size_t a, size_t b) { return b ? fmt::format("{:.2f}%", 100.0 * static_cast<double>(a) / static_cast<double>(b)) : "-"; }

}  // namespace

int main(int argc, char** argv) {
  std::string dir = argc > 1 ? argv[1] : std::string(WF_SHARED_DIR) + "/traces/nfcore";
  if (!fs::is_directory(dir)) {
    fmt::print("note: no traces at {}: nothing to measure\n", dir);
    return 0;
  }
  Thresholds defaults;
  const std::vector<double> zs = {3, 4, 5, 6, 8};
  fmt::print("Time-ordered replay, baseline = earlier succeeded executions of the category (last {}), "
             "min_samples {}, floors: time {} s, memory {} MiB, I/O {} MiB\n\n",
             kWindow, defaults.min_samples, defaults.runtime_floor_s, defaults.mem_floor_bytes / (1 << 20),
             defaults.io_floor_bytes / (1 << 20));
  fmt::print("| trace | rows | judged | flagged z=5 | runtime | memory | cpu | read | write | z=3 | z=4 | z=6 | z=8 | z=5 no floors |\n");
  fmt::print("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|\n");
  std::vector<Judged> all;
  size_t all_rows = 0;
  for (const auto& name : kWorkflows) {
    std::string path = dir + "/trace_" + name + ".csv";
    if (!fs::exists(path)) continue;
    auto parsed = history::parse_nextflow_trace(history::import_detail::read_file(path), path);
    auto js = replay(parsed.rows, defaults);
    all_rows += parsed.rows.size();
    Counts c = count(js, defaults);
    std::vector<std::string> by_z;
    for (double z : zs) {
      if (z == 5) continue;
      Thresholds t = defaults;
      t.z = z;
      Counts cz = count(js, t);
      by_z.push_back(pct(cz.flagged, cz.judged));
    }
    Thresholds bare = defaults;
    bare.runtime_floor_s = bare.cpu_floor_s = bare.mem_floor_bytes = bare.io_floor_bytes = 0;
    Counts cb = count(js, bare);
    fmt::print("| {} | {} | {} | {} ({}) | {} | {} | {} | {} | {} | {} | {} |\n", name, parsed.rows.size(), c.judged,
               c.flagged, pct(c.flagged, c.judged), c.by_measure[0], c.by_measure[1], c.by_measure[2], c.by_measure[3],
               c.by_measure[4], fmt::join(by_z, " | "), pct(cb.flagged, cb.judged));
    all.insert(all.end(), js.begin(), js.end());
  }
  Counts c = count(all, defaults);
  fmt::print("| all | {} | {} | {} ({}) | {} | {} | {} | {} | {} |\n\n", all_rows, c.judged, c.flagged,
             pct(c.flagged, c.judged), c.by_measure[0], c.by_measure[1], c.by_measure[2], c.by_measure[3], c.by_measure[4]);

  fmt::print("Injected anomalies (all traces): the judged executions replayed with one measure scaled; caught at z = 3 / 4 / 5 "
             "(default floors), over all of them and over those whose category's p50 is at least 60 s (runtime) or 1 GiB (memory)\n\n");
  fmt::print("| injected | executions | caught z=3 | z=4 | z=5 | big p50 | caught z=3 | z=4 | z=5 |\n|---|---|---|---|---|---|---|---|---|\n");
  for (auto [m, factor] : {std::pair{Measure::runtime_s, 2.0}, std::pair{Measure::runtime_s, 3.0}, std::pair{Measure::runtime_s, 10.0},
                           std::pair{Measure::peak_rss_bytes, 2.0}, std::pair{Measure::peak_rss_bytes, 3.0}}) {
    double big = m == Measure::runtime_s ? 60 : 1024.0 * 1024 * 1024;
    std::vector<std::string> cells, cells_big;
    size_t n = 0, nb = 0;
    for (double z : {3.0, 4.0, 5.0}) {
      Thresholds t = defaults;
      t.z = z;
      auto [count_all, caught] = injected(all, m, factor, t, 0);
      auto [count_big, caught_big] = injected(all, m, factor, t, big);
      n = count_all, nb = count_big;
      cells.push_back(pct(caught, count_all));
      cells_big.push_back(pct(caught_big, count_big));
    }
    fmt::print("| {} x{} | {} | {} | {} | {} |\n", measure_name(m), factor, n, fmt::join(cells, " | "), nb, fmt::join(cells_big, " | "));
  }
  return 0;
}
