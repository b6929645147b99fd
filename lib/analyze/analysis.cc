#include "analyze/analysis.h"

#include <algorithm>
#include <array>
#include <cstring>
#include <numeric>
#include <unordered_map>

#include <fmt/format.h>

namespace wf::analyze {

std::optional<double> known_duration(const model::Task& t) {
  if (t.hints.duration_s) return t.hints.duration_s;
  return t.recorded.runtime_s;
}

double task_cpus(const model::Task& t) {
  if (t.hints.cpus) return *t.hints.cpus;
  if (t.recorded.cores) return *t.recorded.cores;
  return 1.0;
}

double task_mem_bytes(const model::Task& t) {
  if (t.hints.mem_bytes) return static_cast<double>(*t.hints.mem_bytes);
  if (t.recorded.mem_bytes) return static_cast<double>(*t.recorded.mem_bytes);
  return 0.0;
}

namespace {

// A time as an unsigned key with the same order (positive doubles get the sign bit, negative ones
// are flipped whole; -0 is 0), so times sort as integers.
uint64_t time_key(double t) {
  if (t == 0) t = 0;
  uint64_t bits;
  std::memcpy(&bits, &t, sizeof bits);
  return (bits >> 63) ? ~bits : bits | (uint64_t{1} << 63);
}

struct Keyed {
  uint64_t key;
  uint32_t task;
};

// Sorted by key, ties by task (the input is in task order and the sort is stable): a radix sort
// by bytes that skips the bytes every key shares (times that are whole seconds share many).
void radix_sort(std::vector<Keyed>& items) {
  uint64_t all_and = ~uint64_t{0}, all_or = 0;
  for (const auto& k : items) {
    all_and &= k.key;
    all_or |= k.key;
  }
  std::vector<Keyed> scratch(items.size());
  for (int shift = 0; shift < 64; shift += 8) {
    if ((((all_and ^ all_or) >> shift) & 0xFF) == 0) continue;
    std::array<size_t, 257> count{};
    for (const auto& k : items) ++count[((k.key >> shift) & 0xFF) + 1];
    for (size_t b = 0; b < 256; ++b) count[b + 1] += count[b];
    for (const auto& k : items) scratch[count[(k.key >> shift) & 0xFF]++] = k;
    items.swap(scratch);
  }
}

}  // namespace

std::vector<ProfilePoint> profile_of(const std::vector<double>& start, const std::vector<double>& end,
                                     const std::vector<double>& cpus, const std::vector<double>& mem) {
  // Every instant sees its ends first, then its starts, each in task order: the summation order
  // is total, so the floating-point sums are the same on every run.
  std::vector<Keyed> starts, ends;
  starts.reserve(start.size());
  ends.reserve(start.size());
  for (uint32_t i = 0; i < start.size(); ++i) {
    if (end[i] <= start[i]) continue;  // an instantaneous task holds nothing
    starts.push_back({time_key(start[i]), i});
    ends.push_back({time_key(end[i]), i});
  }
  radix_sort(starts);
  radix_sort(ends);
  std::vector<ProfilePoint> out;
  ProfilePoint cur;
  size_t s = 0, e = 0;
  auto apply = [&](uint32_t task, int delta) {
    cur.tasks = static_cast<uint32_t>(static_cast<int>(cur.tasks) + delta);
    cur.cpus += delta * cpus[task];
    cur.mem_bytes += delta * mem[task];
  };
  while (s < starts.size() || e < ends.size()) {
    bool end_first = e < ends.size() && (s == starts.size() || ends[e].key <= starts[s].key);
    uint64_t key = end_first ? ends[e].key : starts[s].key;
    double t = end_first ? end[ends[e].task] : start[starts[s].task];
    for (; e < ends.size() && ends[e].key == key; ++e) apply(ends[e].task, -1);
    for (; s < starts.size() && starts[s].key == key; ++s) apply(starts[s].task, +1);
    cur.t_s = t;
    if (cur.tasks == 0) cur.cpus = cur.mem_bytes = 0;  // no float drift at idle
    if (!out.empty() && out.back().t_s == t) out.back() = cur;
    else out.push_back(cur);
  }
  return out;
}

namespace {

size_t count_components(const model::Dag& dag) {
  std::vector<uint32_t> parent(dag.size());
  std::iota(parent.begin(), parent.end(), 0u);
  auto find = [&](uint32_t x) {
    while (parent[x] != x) x = parent[x] = parent[parent[x]];
    return x;
  };
  size_t components = dag.size();
  for (uint32_t t = 0; t < dag.size(); ++t)
    for (uint32_t p : dag.parents(t)) {
      uint32_t a = find(t), b = find(p);
      if (a != b) {
        parent[std::max(a, b)] = std::min(a, b);
        --components;
      }
    }
  return components;
}

// A task that reads a file another task writes must run after it; say so when it is not
// declared. Checks ancestry by a bounded walk up from the reader.
void check_data_dependencies(const model::Workflow& wf, const model::Dag& dag, std::vector<std::string>& warnings) {
  std::unordered_map<std::string_view, uint32_t> producer;
  for (uint32_t i = 0; i < wf.tasks.size(); ++i)
    for (const auto& f : wf.tasks[i].outputs) {
      auto [it, inserted] = producer.emplace(f.path, i);
      if (!inserted && it->second != i && warnings.size() < 20)
        warnings.push_back(fmt::format("tasks '{}' and '{}' both write '{}'", wf.tasks[it->second].id, wf.tasks[i].id, f.path));
    }
  if (producer.empty()) return;
  std::vector<uint32_t> mark(dag.size(), UINT32_MAX), stack;
  for (uint32_t i = 0; i < wf.tasks.size(); ++i) {
    for (const auto& f : wf.tasks[i].inputs) {
      auto it = producer.find(f.path);
      if (it == producer.end() || it->second == i) continue;
      uint32_t want = it->second;
      bool found = false;
      size_t visited = 0;
      stack.assign(1, i);
      while (!stack.empty() && !found && visited < 100000) {
        uint32_t t = stack.back();
        stack.pop_back();
        for (uint32_t p : dag.parents(t)) {
          if (p == want) found = true;
          if (mark[p] != i) {
            mark[p] = i;
            stack.push_back(p);
            ++visited;
          }
        }
      }
      if (!found && visited < 100000 && warnings.size() < 20)
        warnings.push_back(fmt::format("task '{}' reads '{}', which task '{}' writes, but does not depend on it",
                                       wf.tasks[i].id, f.path, wf.tasks[want].id));
    }
  }
}

void add_warnings(const model::Workflow& wf, Analysis& an, size_t without_duration) {
  std::vector<std::string> bare;
  size_t bare_count = 0;
  for (const auto& t : wf.tasks)
    if (!t.hints.cpus && !t.hints.mem_bytes && t.recorded.empty()) {
      if (bare.size() < 5) bare.push_back(t.id);
      ++bare_count;
    }
  if (bare_count > 0)
    an.warnings.push_back(fmt::format("{} task{} without resource hints (cpus, mem): {}{}; forecasts will rely on history alone",
                                      bare_count, bare_count == 1 ? "" : "s", fmt::join(bare, ", "), bare_count > bare.size() ? ", ..." : ""));
  if (without_duration > 0 && without_duration < wf.tasks.size())
    an.warnings.push_back(fmt::format("{} task{} without a duration (hint or recorded) counted as 0 s", without_duration,
                                      without_duration == 1 ? "" : "s"));
  if (without_duration == wf.tasks.size())
    an.warnings.push_back("no task has a duration (hint or recorded): the critical path counts 1 s per task");
  if (an.components > 1)
    an.warnings.push_back(fmt::format("the workflow has {} disconnected parts", an.components));
}

}  // namespace

Analysis analyze(const model::Workflow& wf, const model::Dag& dag) {
  Analysis an;
  const uint32_t n = dag.size();
  an.tasks = n;
  an.timing.resize(n);
  size_t hinted = 0, recorded = 0, without = 0;
  for (uint32_t t = 0; t < n; ++t) {
    const auto& task = wf.tasks[t];
    if (task.hints.duration_s) ++hinted;
    else if (task.recorded.runtime_s) ++recorded;
    else ++without;
    an.edges += dag.parents(t).size();
    if (dag.parents(t).empty()) ++an.roots;
    if (dag.children(t).empty()) ++an.leaves;
  }
  bool unit = without == n;
  an.durations = unit ? "unit" : without == 0 && recorded == 0 ? "hints" : without == 0 && hinted == 0 ? "recorded" : "mixed";
  for (uint32_t t = 0; t < n; ++t)
    an.timing[t].duration_s = unit ? 1.0 : known_duration(wf.tasks[t]).value_or(0.0);

  // Forward pass: levels and earliest starts; remember the parent that finishes last.
  std::vector<uint32_t> via(n, UINT32_MAX);
  for (uint32_t t : dag.topo_order()) {
    auto& tt = an.timing[t];
    for (uint32_t p : dag.parents(t)) {
      const auto& pt = an.timing[p];
      tt.level = std::max(tt.level, pt.level + 1);
      double finish = pt.earliest_start_s + pt.duration_s;
      // Ties go to the smaller index, so the critical path printed is always the same one.
      if (finish > tt.earliest_start_s || (finish == tt.earliest_start_s && (via[t] == UINT32_MAX || p < via[t]))) {
        via[t] = p;
        tt.earliest_start_s = finish;
      }
    }
  }
  uint32_t last = 0;
  for (uint32_t t = 0; t < n; ++t) {
    const auto& tt = an.timing[t];
    double finish = tt.earliest_start_s + tt.duration_s;
    an.total_work_s += tt.duration_s;
    if (finish > an.critical_path_s) {
      an.critical_path_s = finish;
      last = t;
    }
  }
  if (n > 0) {
    for (uint32_t t = last; t != UINT32_MAX; t = via[t]) an.critical_path.push_back(t);
    std::reverse(an.critical_path.begin(), an.critical_path.end());
  }
  // Backward pass: latest starts that keep the makespan, and slack.
  const auto& order = dag.topo_order();
  for (auto it = order.rbegin(); it != order.rend(); ++it) {
    auto& tt = an.timing[*it];
    double latest_finish = an.critical_path_s;
    for (uint32_t c : dag.children(*it)) latest_finish = std::min(latest_finish, an.timing[c].latest_start_s);
    tt.latest_start_s = latest_finish - tt.duration_s;
    tt.slack_s = std::max(0.0, tt.latest_start_s - tt.earliest_start_s);
  }
  for (const auto& tt : an.timing) {
    if (tt.level >= an.width_per_level.size()) an.width_per_level.resize(tt.level + 1, 0);
    ++an.width_per_level[tt.level];
  }
  for (uint32_t w : an.width_per_level) an.max_width = std::max(an.max_width, w);

  std::vector<double> start(n), end(n), cpus(n), mem(n);
  for (uint32_t t = 0; t < n; ++t) {
    start[t] = an.timing[t].earliest_start_s;
    end[t] = start[t] + an.timing[t].duration_s;
    cpus[t] = task_cpus(wf.tasks[t]);
    mem[t] = task_mem_bytes(wf.tasks[t]);
  }
  an.profile = profile_of(start, end, cpus, mem);
  for (const auto& p : an.profile) {
    if (p.tasks > an.peak_tasks.tasks) an.peak_tasks = p;
    if (p.cpus > an.peak_cpus.cpus) an.peak_cpus = p;
    if (p.mem_bytes > an.peak_mem.mem_bytes) an.peak_mem = p;
  }
  an.components = count_components(dag);
  add_warnings(wf, an, without);
  check_data_dependencies(wf, dag, an.warnings);
  return an;
}

}  // namespace wf::analyze
