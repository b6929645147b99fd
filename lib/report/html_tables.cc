// The page's tables: the tasks furthest from their forecast, the same per category, anomalies,
// and the plan-and-use facts.
#include <algorithm>
#include <cmath>
#include <iterator>
#include <map>

#include <fmt/format.h>

#include "report/axis.h"
#include "report/html.h"
#include "report/palette.h"
#include "report/svg.h"

namespace wf::report {
namespace {

std::string swatch(uint32_t category) {
  return fmt::format("<span class=\"swatch\" style=\"background:{}\"></span>", category_colour(category));
}

// measured, p50, p95, ratio cells of one measure (empty cells when it had no forecast).
std::string ratio_cells(const std::optional<Ratio>& r, Unit unit) {
  if (!r) return "<td class=\"num\"></td><td class=\"num\"></td><td class=\"num\"></td><td class=\"num\">-</td>";
  return fmt::format("<td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num{}\">{}</td>",
                     escape(format_value(r->measured, unit)), escape(format_value(r->p50, unit)), r->p95 ? escape(format_value(*r->p95, unit)) : "",
                     r->above_p95 ? " above" : "", escape(format_ratio(r->ratio)));
}

double median(std::vector<double>& v) {
  if (v.empty()) return 0;
  size_t mid = v.size() / 2;
  std::nth_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(mid), v.end());
  double hi = v[mid];
  if (v.size() % 2) return hi;
  return (*std::max_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(mid)) + hi) / 2;
}

}  // namespace

void deviation_table(std::string& out, const ReportData& d) {
  auto o = std::back_inserter(out);
  out += "<table class=\"deviations\">\n<thead><tr><th class=\"num\">#</th><th>task</th><th>category</th>"
         "<th class=\"num\">runtime</th><th class=\"num\">p50</th><th class=\"num\">p95</th><th class=\"num\">ratio</th>"
         "<th class=\"num\">memory</th><th class=\"num\">p50</th><th class=\"num\">p95</th><th class=\"num\">ratio</th></tr></thead>\n<tbody>\n";
  for (size_t i = 0; i < d.deviations.size() && i < kMaxDeviationRows; ++i) {
    const Deviation& v = d.deviations[i];
    const Bar& bar = d.bars[v.task];
    fmt::format_to(o, "<tr><td class=\"num\">{}</td><td>{}</td><td>{}{}</td>{}{}</tr>\n", i + 1, escape(bar.id), swatch(bar.category),
                   escape(d.categories[bar.category].name), ratio_cells(v.runtime, Unit::seconds), ratio_cells(v.mem, Unit::bytes));
  }
  out += "</tbody></table>\n";
  if (d.deviations.size() > kMaxDeviationRows)
    fmt::format_to(o, "<p class=\"note\">The {} furthest of {} tasks with a forecast, by the larger of |log ratio| of runtime and memory; "
                      "the full list is in the document (<code>run.tasks[].deviation</code>).</p>\n",
                   kMaxDeviationRows, grouped(d.deviations.size()));
}

void category_table(std::string& out, const ReportData& d) {
  struct Acc {
    std::vector<double> runtime, mem;
    size_t runtime_above = 0, mem_above = 0, tasks = 0;
  };
  std::map<uint32_t, Acc> by;
  for (const auto& v : d.deviations) {
    Acc& a = by[d.bars[v.task].category];
    ++a.tasks;
    if (v.runtime) a.runtime.push_back(v.runtime->ratio), a.runtime_above += v.runtime->above_p95;
    if (v.mem) a.mem.push_back(v.mem->ratio), a.mem_above += v.mem->above_p95;
  }
  std::vector<std::pair<uint32_t, Acc*>> rows;
  for (auto& [c, a] : by) rows.push_back({c, &a});
  std::stable_sort(rows.begin(), rows.end(), [&](const auto& x, const auto& y) {
    if (x.second->tasks != y.second->tasks) return x.second->tasks > y.second->tasks;
    return d.categories[x.first].name < d.categories[y.first].name;
  });
  auto o = std::back_inserter(out);
  out += "<table class=\"categories\">\n<thead><tr><th>category</th><th class=\"num\">tasks</th><th class=\"num\">runtime, median ratio</th>"
         "<th class=\"num\">above p95</th><th class=\"num\">memory, median ratio</th><th class=\"num\">above p95</th></tr></thead>\n<tbody>\n";
  auto above = [](size_t n, size_t of) {
    return of ? fmt::format("<td class=\"num{}\">{} ({:.0f}%)</td>", n * 20 > of ? " above" : "", grouped(n), 100.0 * static_cast<double>(n) / static_cast<double>(of))
              : std::string("<td class=\"num\">-</td>");
  };
  for (size_t i = 0; i < rows.size() && i < kMaxCategoryTableRows; ++i) {
    auto& [c, a] = rows[i];
    fmt::format_to(o, "<tr><td>{}{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td>{}<td class=\"num\">{}</td>{}</tr>\n", swatch(c),
                   escape(d.categories[c].name), grouped(a->tasks), a->runtime.empty() ? "-" : escape(format_ratio(median(a->runtime))),
                   above(a->runtime_above, a->runtime.size()), a->mem.empty() ? "-" : escape(format_ratio(median(a->mem))),
                   above(a->mem_above, a->mem.size()));
  }
  out += "</tbody></table>\n";
  if (rows.size() > kMaxCategoryTableRows)
    fmt::format_to(o, "<p class=\"note\">The {} largest of {} categories.</p>\n", kMaxCategoryTableRows, grouped(rows.size()));
}

void anomaly_table(std::string& out, const ReportData& d) {
  auto o = std::back_inserter(out);
  out += "<table class=\"anomalies\">\n<thead><tr><th>task</th><th>measure</th><th class=\"num\">value</th><th class=\"num\">expected</th>"
         "<th>why</th></tr></thead>\n<tbody>\n";
  for (size_t i = 0; i < d.anomalies.size() && i < kMaxAnomalyRows; ++i) {
    const Anomaly& a = d.anomalies[i];
    fmt::format_to(o, "<tr><td>{}</td><td>{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td>{}</td></tr>\n", escape(a.task),
                   escape(a.measure), escape(a.value), escape(a.expected), escape(a.why));
  }
  out += "</tbody></table>\n";
  if (d.anomalies.size() > kMaxAnomalyRows)
    fmt::format_to(o, "<p class=\"note\">The first {} of {} anomalies, in the run's order; all are in <code>run.anomalies</code>.</p>\n",
                   kMaxAnomalyRows, grouped(d.anomalies.size()));
}

void fact_tables(std::string& out, const ReportData& d) {
  auto o = std::back_inserter(out);
  out += "<div class=\"facts\">\n";
  for (const auto& t : d.plan) {
    fmt::format_to(o, "<div class=\"fact{}\"><h3>{}</h3>\n<table>\n", t.rows.empty() ? "" : " wide", escape(t.title));
    for (const auto& f : t.facts)
      fmt::format_to(o, "<tr><td>{}</td><td><b>{}</b>{}</td></tr>\n", escape(f.label), escape(f.value),
                     f.note.empty() ? "" : fmt::format(" <span class=\"small\">{}</span>", escape(f.note)));
    out += "</table>\n";
    if (!t.rows.empty()) {
      out += "<table class=\"rows\">\n<thead><tr>";
      for (const auto& h : t.header) fmt::format_to(o, "<th>{}</th>", escape(h));
      out += "</tr></thead>\n<tbody>\n";
      for (const auto& r : t.rows) {
        out += "<tr>";
        for (const auto& cell : r) fmt::format_to(o, "<td>{}</td>", escape(cell));
        out += "</tr>\n";
      }
      out += "</tbody></table>\n";
    }
    if (!t.notes.empty()) {
      out += "<ul class=\"why\">\n";
      for (const auto& n : t.notes) fmt::format_to(o, "<li>{}</li>\n", escape(n));
      out += "</ul>\n";
    }
    out += "</div>\n";
  }
  out += "</div>\n";
}

}  // namespace wf::report
