// Golden tests on the charts' structure: the root element and its viewBox, how many elements of
// each kind for a known document, the labels, well-formedness, and the same bytes every time.
#include <catch2/catch.hpp>

#include "io/document.h"
#include "report/gantt.h"
#include "report/report.h"
#include "svg_check.h"
#include "synthetic.h"
#include "util/error.h"

using namespace wf;
using namespace wf::report;
using namespace wf::report::testing;

namespace {

ReportData read(const Synthetic& s) {
  auto doc = io::Document::from_source({"doc.json", synthetic_document(s)});
  doc.diagnostics().finish();
  return read_report(doc);
}

Synthetic sized(size_t tasks, size_t slots, size_t categories) {
  Synthetic s;
  s.tasks = tasks;
  s.slots = slots;
  s.categories = categories;
  return s;
}

void check_root(const std::string& svg, std::string_view view_box_prefix) {
  CHECK(svg.starts_with("<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\""));
  CHECK(attribute(svg, "viewBox").starts_with(view_box_prefix));
  CHECK(svg.ends_with("</svg>\n"));
  CHECK(well_formed(svg) == "");
  CHECK(count(svg, "<svg") == 1);
}

}  // namespace

TEST_CASE("demand chart: three panels with forecast, measured and capacity", "[report][chart]") {
  ReportData d = read({});
  std::string svg = render_svg(d, Chart::demand);
  check_root(svg, "0 0 1000 ");
  for (const char* label : {">cpus<", ">memory<", ">I/O<", ">forecast p95<", ">forecast p50<", ">reserved (run)<", ">capacity<", ">cloud plan<",
                            "provisioned 4", "time since the run&#39;s start"})
    CHECK(count(svg, label) >= 1);
  // Per panel: forecast band, p50 line, used and reserved lines (I/O has nothing reserved), and the
  // cloud plan for cpus. Memory's capacity (4GiB) and plan (8GiB) are over 3× its demand: named,
  // not drawn, so the run is not flattened into the axis.
  CHECK(elements(svg, "path") == 4 + 1 + 4 + 3);
  CHECK(count(svg, "stroke-dasharray=\"6 4\"") == 1);  // the capacity line of cpus
  CHECK(count(svg, ">provisioned 4GiB ↑ (off the scale)<") == 1);
  CHECK(count(svg, ">cloud plan up to 8GiB ↑ (off the scale)<") == 1);
  CHECK(render_svg(d, Chart::demand) == svg);
}

TEST_CASE("gantt chart, 10 tasks: a row per task, a bar per attempt, marks", "[report][chart]") {
  ReportData d = read({});
  CHECK(gantt_layout(d).mode == GanttMode::tasks);
  std::string svg = render_svg(d, Chart::gantt);
  check_root(svg, "0 0 1000 ");
  // 11 attempts (task 3 was retried), each a rect with its title; plus the legend's swatches,
  // striped rows and the frame.
  CHECK(count(svg, "</title></rect>") == 11);
  CHECK(count(svg, ">extract-00000<") == 1);  // every task labelled at the left
  CHECK(count(svg, ">load-00009<") == 0);     // (ids 0..9 with load at 2, 5, 8)
  CHECK(count(svg, ">load-00008<") == 1);
  CHECK(count(svg, "font-weight=\"bold\" fill=\"#222\">extract-") >= 1);  // the critical path in bold
  CHECK(count(svg, ">×2<") == 1);                                       // the retried task
  CHECK(count(svg, "anomaly in load-00005") == 1);
  for (const char* label : {">extract<", ">transform<", ">load<", ">critical path<", ">earlier attempt (retried)<"})
    CHECK(count(svg, label) == 1);
  CHECK(count(svg, ">anomaly<") == 2);  // the legend's text and its diamond's title
  CHECK(render_svg(d, Chart::gantt) == svg);
}

TEST_CASE("gantt chart, 300 tasks: one row per slot", "[report][chart]") {
  ReportData d = read(sized(300, 12, 5));
  GanttLayout g = gantt_layout(d);
  CHECK(g.mode == GanttMode::slots);
  CHECK(g.rows == 12);
  std::string svg = render_svg(d, Chart::gantt);
  check_root(svg, "0 0 1000 ");
  CHECK(count(svg, "</title></rect>") == 300 + 43);  // one per attempt: 43 tasks were retried
  CHECK(count(svg, ">slot 1<") == 1);
  CHECK(count(svg, ">slot 12<") == 1);
}

TEST_CASE("gantt chart, 100,000 tasks: one row per category, size independent of the run", "[report][chart]") {
  ReportData d = read(sized(100000, 400, 20));
  CHECK(gantt_layout(d).mode == GanttMode::categories);
  std::string svg = render_svg(d, Chart::gantt);
  check_root(svg, "0 0 1000 ");
  // Rows: critical path, 12 categories, the other 8 together, failed attempts, anomalies.
  CHECK(count(svg, "8 other categories") >= 1);
  CHECK(count(svg, ">critical path<") == 2);  // legend and row
  CHECK(count(svg, ">failed attempts<") == 1);
  CHECK(count(svg, ">anomalies<") == 1);
  CHECK(count(svg, " tasks · max ") == 2 * 13);  // each row's label and its title
  CHECK(svg.size() < 600'000);
  INFO("gantt at 100k tasks: " << svg.size() << " bytes");
}

TEST_CASE("deviation chart: a dot per task when few, a density grid when many", "[report][chart]") {
  ReportData d = read({});
  std::string svg = render_svg(d, Chart::deviation);
  check_root(svg, "0 0 1000 470");
  CHECK(elements(svg, "circle") == 10);
  // The axes span the smallest power of two that holds every ratio (here ×1/4 .. ×4).
  for (const char* label : {">×1<", ">×4<", ">×1/4<"}) CHECK(count(svg, label) == 2);  // on both axes
  for (const char* label : {">runtime: measured / forecast p50<", ">memory: measured / forecast p50<"}) CHECK(count(svg, label) == 1);
  CHECK(count(svg, ">×8<") == 0);
  CHECK(count(svg, ">1. ") == 1);  // the furthest, named
  CHECK(count(svg, ">8. ") == 1);

  ReportData big = read(sized(5000, 50, 6));
  std::string grid = render_svg(big, Chart::deviation);
  check_root(grid, "0 0 1000 470");
  CHECK(elements(grid, "circle") == 0);
  CHECK(count(grid, " tasks</title></rect>") > 10);
  CHECK(count(grid, "5,000 tasks, counted per cell") == 1);
}

TEST_CASE("a chart the document cannot give is refused", "[report][chart]") {
  Synthetic s;
  s.prediction = false;
  ReportData d = read(s);
  CHECK_THROWS_AS(render_svg(d, Chart::deviation), Error);
  CHECK(!render_svg(d, Chart::gantt).empty());
  CHECK(!render_svg(d, Chart::demand).empty());  // measured usage alone still makes a chart
}
