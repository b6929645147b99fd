// Online memory sizing on the six nf-core Nextflow traces, under the protocol of the literature
// (/work/shared/notes/memory-sizing.md): the baselines side by side with wf's cost-aware sizer.
//
//   bench_predict_memory_sizing [TRACES_DIR] [--detail]
//
// Per workflow: the processes that survive the filters (printed against the expected counts), for
// seeds 1996,1,2,3,4 a seeded permutation of each process's rows, the first ceil(0.7 n) as the test
// stream and the rest as history; wastage (GB·h), failures and MAQ summed over processes, mean and
// min–max over seeds. Targets: rss (primary) and peak_rss. Prints a note and exits 0 without traces.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "predict/memsize.h"
#include "predict/memsize_adaptive.h"
#include "predict/memsize_replay.h"
#include "util/csv.h"
#include "util/error.h"
#include "util/strings.h"

namespace fs = std::filesystem;
using namespace wf;
using namespace wf::predict;

namespace {

struct TraceRow {
  double rchar = 0;
  Bytes rss = 0, peak_rss = 0, memory = 0;
  double realtime_ms = 0;
};
struct Process {
  std::string name;
  std::vector<TraceRow> rows;
};
struct Workflow {
  std::string name;
  std::vector<Process> processes;  // in order of first appearance in the trace
  size_t rows() const {
    size_t n = 0;
    for (const auto& p : processes) n += p.rows.size();
    return n;
  }
};

const std::vector<std::string> kWorkflows = {"chipseq", "eager", "iwd", "mag", "methylseq", "rnaseq"};
const std::map<std::string, std::pair<size_t, size_t>> kExpected = {
    {"chipseq", {30, 2449}}, {"eager", {13, 1570}}, {"iwd", {5, 1660}},
    {"mag", {8, 5761}},      {"methylseq", {9, 900}}, {"rnaseq", {30, 1170}}};
const std::vector<uint64_t> kSeeds = {1996, 1, 2, 3, 4};

std::optional<double> number(const std::string& s) { return s == "-" ? std::nullopt : util::parse_double(s); }

std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  if (!in) fail(util::Exit::no_input, "{}: cannot open", p.string());
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// The protocol's filters: rows with rss > 0; processes with >= 34 such rows and no realtime of 0.
Workflow load(const fs::path& dir, const std::string& name) {
  auto path = dir / fmt::format("trace_{}.csv", name);
  auto csv = util::Csv::parse(slurp(path), path.string());
  auto col = [&](const char* c) {
    auto i = csv.column(c);
    if (!i) fail(util::Exit::data, "{}: no column '{}'", path.string(), c);
    return *i;
  };
  size_t c_process = col("process"), c_rchar = col("rchar"), c_rss = col("rss"), c_peak = col("peak_rss"),
         c_mem = col("memory"), c_real = col("realtime");
  Workflow wf{name, {}};
  std::map<std::string, size_t> index;
  for (size_t r = 0; r < csv.rows(); ++r) {
    auto rss = number(csv.at(r, c_rss));
    if (!rss || *rss <= 0) continue;
    const auto& proc = csv.at(r, c_process);
    auto [it, fresh] = index.try_emplace(proc, wf.processes.size());
    if (fresh) wf.processes.push_back({proc, {}});
    TraceRow row;
    row.rss = static_cast<Bytes>(*rss);
    row.rchar = number(csv.at(r, c_rchar)).value_or(0);
    row.peak_rss = static_cast<Bytes>(number(csv.at(r, c_peak)).value_or(*rss));
    row.memory = static_cast<Bytes>(number(csv.at(r, c_mem)).value_or(0));
    row.realtime_ms = number(csv.at(r, c_real)).value_or(0);
    wf.processes[it->second].rows.push_back(row);
  }
  std::erase_if(wf.processes, [](const Process& p) {
    return p.rows.size() < 34 ||
           std::any_of(p.rows.begin(), p.rows.end(), [](const TraceRow& r) { return r.realtime_ms == 0; });
  });
  return wf;
}

// splitmix64: a small, portable, seedable generator, so permutations are the same on every platform.
struct SplitMix {
  uint64_t state;
  uint64_t next() {
    uint64_t z = (state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
  }
  size_t below(size_t n) {  // uniform in [0, n) by rejection
    uint64_t limit = UINT64_MAX - UINT64_MAX % n;
    uint64_t r;
    do r = next(); while (r >= limit);
    return static_cast<size_t>(r % n);
  }
};

uint64_t fnv1a(const std::string& s) {
  uint64_t h = 1469598103934665603ull;
  for (unsigned char c : s) h = (h ^ c) * 1099511628211ull;
  return h;
}

// The seeded permutation of a process's rows (Fisher–Yates), keyed by seed and process name.
std::vector<size_t> permutation(size_t n, uint64_t seed, const std::string& process) {
  std::vector<size_t> p(n);
  for (size_t i = 0; i < n; ++i) p[i] = i;
  SplitMix rng{seed ^ fnv1a(process)};
  for (size_t i = n; i > 1; --i) std::swap(p[i - 1], p[rng.below(i)]);
  return p;
}

enum class Target { rss, peak_rss };

MemorySample sample(const TraceRow& r, Target target) {
  return {r.rchar, target == Target::rss ? r.rss : r.peak_rss, r.realtime_ms / 1000.0};
}

struct Method {
  std::string name;
  std::function<std::unique_ptr<MemorySizer>()> make;  // empty for the preset
};

std::vector<Method> methods() {
  return {{"preset", {}},
          {"max-seen", [] { return make_max_seen_sizer(); }},
          {"p95", [] { return make_percentile_sizer(0.95); }},
          {"lr-std", [] { return make_linear_sizer(OffsetMode::std_all); }},
          {"lr-std-under", [] { return make_linear_sizer(OffsetMode::std_under); }},
          {"tovar", [] { return make_tovar_sizer(); }},
          {"wf", [] { return make_adaptive_sizer(); }}};
}

// One process under one seed: the test stream (the first ceil(0.7 n) rows of the permutation) and
// the history (the rest), for the target; plus what the preset needs.
struct Split {
  std::vector<MemorySample> history, stream;
  std::vector<Bytes> requested;             // the configured memory of each stream task
  std::vector<MemorySample> stream_peak;    // the stream against peak_rss: the preset's yardstick
};

Split split(const Process& proc, uint64_t seed, Target target) {
  size_t n = proc.rows.size();
  auto perm = permutation(n, seed, proc.name);
  size_t n_test = (7 * n + 9) / 10;  // ceil(0.7 n), exactly
  Split out;
  for (size_t i = 0; i < n; ++i) {
    const auto& row = proc.rows[perm[i]];
    if (i < n_test) {
      out.stream.push_back(sample(row, target));
      out.requested.push_back(row.memory);
      out.stream_peak.push_back(sample(row, Target::peak_rss));
    } else {
      out.history.push_back(sample(row, target));
    }
  }
  return out;
}

// Per process: mean wastage / failures over seeds of every simulated method.
void print_detail(const Workflow& wf, const std::vector<Method>& ms,
                  const std::vector<std::vector<SizingCost>>& per_process) {
  auto k = static_cast<double>(kSeeds.size());
  for (size_t pi = 0; pi < wf.processes.size(); ++pi) {
    auto name = wf.processes[pi].name;
    if (name.size() > 40) name = name.substr(name.size() - 40);
    fmt::print("  {:<40} n={:<5}", name, wf.processes[pi].rows.size());
    for (size_t m = 1; m < ms.size(); ++m)
      fmt::print(" {:>9.3f}/{:<5.1f}", per_process[pi][m].wastage_gbh() / k,
                 static_cast<double>(per_process[pi][m].failures) / k);
    fmt::print("\n");
  }
}

// results[method][seed index] for one workflow and target, summed over its processes.
using Results = std::vector<std::vector<SizingCost>>;

Results run(const Workflow& wf, Target target, const std::vector<Method>& ms, bool detail) {
  Results res(ms.size(), std::vector<SizingCost>(kSeeds.size()));
  std::vector<std::vector<SizingCost>> per_process(wf.processes.size(), std::vector<SizingCost>(ms.size()));
  for (size_t s = 0; s < kSeeds.size(); ++s) {
    for (size_t pi = 0; pi < wf.processes.size(); ++pi) {
      auto data = split(wf.processes[pi], kSeeds[s], target);
      for (size_t m = 0; m < ms.size(); ++m) {
        SizingCost c;
        if (ms[m].make) {
          auto sizer = ms[m].make();
          c = replay(*sizer, data.history, data.stream);
        } else {
          c = score_fixed(data.requested, data.stream_peak);
        }
        res[m][s] += c;
        per_process[pi][m] += c;
      }
    }
  }
  if (detail) print_detail(wf, ms, per_process);
  return res;
}

struct Summary {
  double mean = 0, min = 0, max = 0, failures = 0, maq = 0;
};

Summary summarise(const std::vector<SizingCost>& per_seed) {
  Summary s;
  s.min = per_seed.front().wastage_gbh();
  s.max = s.min;
  for (const auto& c : per_seed) {
    s.mean += c.wastage_gbh();
    s.min = std::min(s.min, c.wastage_gbh());
    s.max = std::max(s.max, c.wastage_gbh());
    s.failures += static_cast<double>(c.failures);
    s.maq += c.maq();
  }
  auto k = static_cast<double>(per_seed.size());
  s.mean /= k;
  s.failures /= k;
  s.maq /= k;
  return s;
}

void report(Target target, const std::vector<Workflow>& wfs, const std::vector<Method>& ms, bool detail) {
  fmt::print("\n## target {}\n\n", target == Target::rss ? "rss" : "peak_rss");
  fmt::print("cells: wastage GB·h mean (min–max over the 5 seeds) / failed attempts, mean / MAQ, mean\n");
  fmt::print("preset: the configured memory against peak_rss, not simulated\n\n");
  fmt::print("| workflow |");
  for (const auto& m : ms) fmt::print(" {} |", m.name);
  fmt::print("\n|---|");
  for (size_t i = 0; i < ms.size(); ++i) fmt::print("---|");
  fmt::print("\n");
  std::vector<std::string> reductions;
  std::vector<double> reduction_values;
  size_t wf_index = ms.size() - 1;
  for (const auto& wf : wfs) {
    auto res = run(wf, target, ms, detail);
    std::vector<Summary> sums;
    for (const auto& r : res) sums.push_back(summarise(r));
    fmt::print("| {} |", wf.name);
    for (const auto& s : sums)
      fmt::print(" {:.2f} ({:.2f}–{:.2f}) / {:.1f} / {:.3f} |", s.mean, s.min, s.max, s.failures, s.maq);
    fmt::print("\n");
    // Best baseline: the least mean wastage among the simulated baselines and the preset.
    size_t best = 0;
    for (size_t m = 1; m < wf_index; ++m)
      if (sums[m].mean < sums[best].mean) best = m;
    double red = 100.0 * (sums[best].mean - sums[wf_index].mean) / sums[best].mean;
    reduction_values.push_back(red);
    reductions.push_back(fmt::format("{:<10} best baseline {:<13} {:9.2f} GB·h, {:6.1f} failures; wf {:9.2f} GB·h, "
                                     "{:6.1f} failures: reduction {:.2f}%{}",
                                     wf.name, ms[best].name, sums[best].mean, sums[best].failures,
                                     sums[wf_index].mean, sums[wf_index].failures, red,
                                     sums[wf_index].failures <= sums[best].failures ? "" : "  (MORE FAILURES)"));
  }
  fmt::print("\n");
  for (const auto& line : reductions) fmt::print("{}\n", line);
  std::sort(reduction_values.begin(), reduction_values.end());
  size_t k = reduction_values.size();
  double median = k % 2 ? reduction_values[k / 2] : (reduction_values[k / 2 - 1] + reduction_values[k / 2]) / 2;
  fmt::print("median reduction vs the best baseline per workflow: {:.2f}%\n", median);
}

}  // namespace

int main(int argc, char** argv) {
  fs::path dir = WF_SHARED_DIR "/traces/nfcore";
  bool detail = false;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--detail") detail = true;
    else dir = a;
  }
  if (!fs::is_directory(dir)) {
    fmt::print("note: no traces at {}; nothing to measure\n", dir.string());
    return 0;
  }
  try {
    auto start = std::chrono::steady_clock::now();
    std::vector<Workflow> wfs;
    fmt::print("survivors (processes / rows, expected in brackets)\n");
    for (const auto& name : kWorkflows) {
      wfs.push_back(load(dir, name));
      auto [ep, er] = kExpected.at(name);
      fmt::print("  {:<10} {:3} / {:5}  [{} / {}]{}\n", name, wfs.back().processes.size(), wfs.back().rows(), ep, er,
                 wfs.back().processes.size() == ep && wfs.back().rows() == er ? "" : "  MISMATCH");
    }
    auto ms = methods();
    report(Target::rss, wfs, ms, detail);
    report(Target::peak_rss, wfs, ms, detail);
    std::chrono::duration<double> took = std::chrono::steady_clock::now() - start;
    fmt::print("\n{} workflows, 2 targets, {} seeds, {} methods: {:.1f} s\n", wfs.size(), kSeeds.size(), ms.size(),
               took.count());
  } catch (const Error& e) {
    fmt::print(stderr, "bench_predict_memory_sizing: error: {}\n", e.what());
    return static_cast<int>(e.exit());
  }
  return 0;
}
