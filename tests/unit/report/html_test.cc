#include <catch2/catch.hpp>

#include "io/document.h"
#include "report/html.h"
#include "report/report.h"
#include "svg_check.h"
#include "synthetic.h"

using namespace wf;
using namespace wf::report;
using namespace wf::report::testing;

namespace {

std::string page(const Synthetic& s) {
  auto doc = io::Document::from_source({"doc.json", synthetic_document(s)});
  doc.diagnostics().finish();
  return render_html(read_report(doc), PageOptions{"wf-report test"});
}

}  // namespace

TEST_CASE("the page holds every section, inline, and nothing to fetch or run", "[report][html]") {
  std::string html = page({});
  CHECK(html.starts_with("<!DOCTYPE html>\n<html lang=\"en\">"));
  CHECK(well_formed(html) == "");
  for (const char* id : {"id=\"demand\"", "id=\"timeline\"", "id=\"deviation\"", "id=\"anomalies\"", "id=\"plan\""}) CHECK(count(html, id) == 1);
  CHECK(count(html, "<svg ") == 3);
  CHECK(count(html, "<style>") == 1);
  CHECK(count(html, "<script") == 0);
  CHECK(count(html, "http") == 3);  // the three SVG namespaces, nothing else
  CHECK(count(html, "src=") == 0);
  CHECK(count(html, "<h1>synthetic-10</h1>") == 1);
  for (const char* fact : {">lower bound<", ">naive plan<", ">peak RSS<", ">local lease<", ">c6i.xlarge<", ">res-1<"})
    CHECK(count(html, fact) == 1);
  CHECK(count(html, ">CPU time<") == 2);  // a card and a fact
  CHECK(count(html, "wf-report test · from the document's analysis, prediction, plan, provision, run") == 1);
  CHECK(page({}) == html);  // the same bytes every time: no clock, no map order
}

TEST_CASE("without plan, provision or anomalies those sections are left out", "[report][html]") {
  Synthetic s;
  s.plan = false;
  s.anomalies = false;
  std::string html = page(s);
  CHECK(count(html, "id=\"anomalies\"") == 0);
  CHECK(count(html, ">Provisioned<") == 0);
  CHECK(count(html, ">Plan<") == 0);
  CHECK(count(html, ">What the run used<") == 1);
  CHECK(well_formed(html) == "");
}

TEST_CASE("100,000 tasks: tables capped, the page under 2 MB", "[report][html][size]") {
  Synthetic s;
  s.tasks = 100000;
  s.slots = 400;
  s.categories = 20;
  std::string html = page(s);
  WARN("page at 100,000 tasks: " << html.size() << " bytes");
  CHECK(html.size() < 2'000'000);
  CHECK(well_formed(html) == "");
  size_t start = html.find("<table class=\"deviations\">"), end = html.find("</table>", start);
  CHECK(count(std::string_view(html).substr(start, end - start), "<tr>") == kMaxDeviationRows + 1);
  CHECK(count(html, "The 25 furthest of 100,000 tasks") == 1);
  CHECK(count(html, "The 15 largest of 20 categories.") == 1);
  CHECK(count(html, "The first 50 of 1,031 anomalies") == 1);
}

TEST_CASE("10 tasks: a small page", "[report][html][size]") {
  std::string html = page({});
  WARN("page at 10 tasks: " << html.size() << " bytes");
  CHECK(html.size() < 100'000);
}
