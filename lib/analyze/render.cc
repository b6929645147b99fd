#include "analyze/render.h"

#include <algorithm>
#include <cmath>

#include <fmt/format.h>

#include "model/units.h"

namespace wf::analyze {

std::string sparkline(const std::vector<double>& values) {
  static const char* bars[] = {" ", "▁", "▂", "▃", "▄", "▅", "▆", "▇", "█"};
  double top = 0;
  for (double v : values) top = std::max(top, v);
  std::string out;
  for (double v : values) out += bars[top > 0 ? static_cast<int>(std::lround(8.0 * v / top)) : 0];
  return out;
}

namespace {

// The profile resampled at `columns` equal instants (the maximum within each column).
std::vector<double> sample_tasks(const Analysis& an, size_t columns) {
  std::vector<double> out(columns, 0);
  if (an.profile.empty() || an.critical_path_s <= 0) return out;
  double width = an.critical_path_s / static_cast<double>(columns);
  for (size_t i = 0; i < an.profile.size(); ++i) {
    double from = an.profile[i].t_s;
    double to = i + 1 < an.profile.size() ? an.profile[i + 1].t_s : from;
    size_t c0 = std::min(columns - 1, static_cast<size_t>(from / width));
    size_t c1 = std::min(columns - 1, static_cast<size_t>(std::max(from, to - 1e-9) / width));
    for (size_t c = c0; c <= c1; ++c) out[c] = std::max(out[c], static_cast<double>(an.profile[i].tasks));
  }
  return out;
}

}  // namespace

std::string render_table(const Analysis& an, const model::Workflow& wf) {
  std::string out;
  auto row = [&out](std::string_view key, const std::string& value) { out += fmt::format("  {:<22}{}\n", key, value); };
  out += fmt::format("workflow {}\n", wf.name.empty() ? "(unnamed)" : wf.name);
  row("tasks", fmt::format("{} ({} edges, {} roots, {} leaves)", an.tasks, an.edges, an.roots, an.leaves));
  row("levels", fmt::format("{} (widest: {} tasks)", an.width_per_level.size(), an.max_width));
  std::string unit = an.durations == "unit" ? " task-steps" : "";
  row("critical path", an.durations == "unit" ? fmt::format("{} tasks", an.critical_path.size())
                                              : fmt::format("{} over {} tasks", model::format_duration(an.critical_path_s), an.critical_path.size()));
  row("total work", an.durations == "unit" ? fmt::format("{}{}", an.total_work_s, unit) : model::format_duration(an.total_work_s));
  row("avg parallelism", fmt::format("{:.2f}", an.critical_path_s > 0 ? an.total_work_s / an.critical_path_s : 0.0));
  row("durations from", an.durations);
  row("peak (unlimited)", fmt::format("{} tasks, {:.4g} cpus, {}", an.peak_tasks.tasks, an.peak_cpus.cpus,
                                      model::format_bytes(an.peak_mem.mem_bytes)));
  out += "\n  parallelism over time (concurrent tasks, unlimited capacity)\n";
  auto samples = sample_tasks(an, 60);
  out += fmt::format("  {:>6} |{}|\n", an.peak_tasks.tasks, sparkline(samples));
  out += fmt::format("  {:>6}  0{:>59}\n", "", an.durations == "unit" ? "" : model::format_duration(an.critical_path_s));
  out += "\n  critical path\n";
  size_t shown = 0;
  for (uint32_t t : an.critical_path) {
    if (++shown > 12) {
      out += fmt::format("    ... {} more\n", an.critical_path.size() - 12);
      break;
    }
    const auto& tt = an.timing[t];
    out += fmt::format("    {:<32} start {:>9}  takes {:>9}\n", wf.tasks[t].id, model::format_duration(tt.earliest_start_s),
                       model::format_duration(tt.duration_s));
  }
  if (!an.warnings.empty()) {
    out += "\n  warnings\n";
    for (const auto& w : an.warnings) out += fmt::format("    {}\n", w);
  }
  return out;
}

namespace {

std::string dot_quote(std::string_view s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    out += c;
  }
  return out + "\"";
}

}  // namespace

std::string render_dot(const Analysis& an, const model::Workflow& wf, const model::Dag& dag) {
  std::vector<char> critical(dag.size(), 0);
  std::vector<uint32_t> path_parent(dag.size(), UINT32_MAX);  // the edge into t on the critical path
  for (size_t k = 0; k < an.critical_path.size(); ++k) {
    critical[an.critical_path[k]] = 1;
    if (k > 0) path_parent[an.critical_path[k]] = an.critical_path[k - 1];
  }
  std::string out = fmt::format("digraph {} {{\n  rankdir=LR;\n  node [shape=box, style=rounded, fontname=\"Helvetica\"];\n",
                                dot_quote(wf.name.empty() ? "workflow" : wf.name));
  for (uint32_t t = 0; t < dag.size(); ++t) {
    const auto& tt = an.timing[t];
    std::string label = an.durations == "unit" ? wf.tasks[t].id
                                                : fmt::format("{}\n{}", wf.tasks[t].id, model::format_duration(tt.duration_s));
    out += fmt::format("  {} [label={}{}];\n", dot_quote(wf.tasks[t].id), dot_quote(label),
                       critical[t] ? ", color=red, penwidth=2, fontcolor=red" : "");
  }
  for (uint32_t t = 0; t < dag.size(); ++t)
    for (uint32_t p : dag.parents(t)) {
      bool on_path = path_parent[t] == p;
      out += fmt::format("  {} -> {}{};\n", dot_quote(wf.tasks[p].id), dot_quote(wf.tasks[t].id),
                         on_path ? " [color=red, penwidth=2]" : "");
    }
  out += "}\n";
  return out;
}

}  // namespace wf::analyze
