#include <catch2/catch.hpp>

#include <cstdlib>
#include <ctime>

#include "history/import_nextflow.h"
#include "history/store.h"
#include "temp_dir.h"

using namespace wf::history;
using Catch::Detail::Approx;
using wf::history::testing::TempDir;

namespace {

// The default trace.txt fields, tab separated, human units; one task name twice (Nextflow can run
// two tasks of one name), one cached task.
const char* kTraceTxt =
    "task_id\thash\tnative_id\tname\tstatus\texit\tsubmit\tduration\trealtime\t%cpu\tpeak_rss\tpeak_vmem\trchar\twchar\n"
    "1\t9d/6f8a1c\t1001\tfastqc (s1)\tCOMPLETED\t0\t2023-01-23 16:08:25.000\t1m 2s\t58.5s\t95.3%\t1.2 GB\t3 GB\t300 MB\t12 KB\n"
    "2\tab/000001\t1002\tmultiqc\tCACHED\t0\t2023-01-23 16:08:26.000\t3s\t2s\t10.0%\t10 MB\t20 MB\t1 MB\t1 KB\n"
    "3\t77/aa11bb\t1003\tfastqc (s2)\tFAILED\t1\t2023-01-23 16:09:00.000\t1s\t250ms\t-\t-\t-\t-\t-\n"
    "4\t5e/5e5e5e\t1004\tfastqc (s1)\tCOMPLETED\t0\t2023-01-23 16:10:00.000\t10s\t8s\t100%\t1 GB\t2 GB\t100 MB\t0\n";

// The comma-separated variant with raw numbers (ms, bytes, epoch ms), as in shared/traces/nfcore.
const char* kTraceCsv =
    "task_id,hash,process,name,status,exit,cpus,memory,attempt,submit,start,complete,duration,realtime,%cpu,rss,peak_rss,rchar,wchar,hostname\n"
    "7,4d/5d2be1,fastqc,fastqc (DA1),COMPLETED,0,2,4294967296,1,1719302359716,1719302573000,1719302586000,226284,12291,119.6,274485248,305635328,145215827,882021,node3\n"
    "8,cb/90c836,markduplicates,markduplicates (DA1),COMPLETED,0,1,8589934592,2,1719302359736,1719302584000,1719302594000,234264,10304,-,-,-,-,-,-\n";

void utc() {
  setenv("TZ", "UTC", 1);
  tzset();
}

}  // namespace

TEST_CASE("trace.txt: tab separated, human units, cached rows skipped") {
  utc();
  ImportOptions options;
  options.source = "/abs/trace.txt";
  Parsed p = parse_nextflow_trace(kTraceTxt, "work/trace.txt", options);
  CHECK(p.skipped == 1);
  REQUIRE(p.rows.size() == 3);

  const Execution& a = p.rows[0];
  CHECK(a.run_id == "trace");
  CHECK(a.workflow == "trace");
  CHECK(a.task_id == "fastqc (s1)");
  CHECK(a.category == "fastqc");
  CHECK(a.native_id == "1");
  CHECK(a.status == Status::succeeded);
  CHECK(a.exit_code == 0);
  CHECK(a.attempt == 1);
  CHECK(a.end_s == 1674490105.0 + 62);
  CHECK(*a.start_s == Approx(1674490105.0 + 62 - 58.5));
  CHECK(a.runtime_s == 58.5);
  CHECK(*a.cpu_time_s == Approx(0.953 * 58.5));
  CHECK(a.peak_rss_bytes == 1288490189);
  CHECK(a.read_bytes == 300LL * 1024 * 1024);
  CHECK(a.write_bytes == 12 * 1024);
  CHECK(a.features == std::vector<std::pair<std::string, double>>{{"input_bytes", 300.0 * 1024 * 1024}});
  CHECK(a.executor == "import:nextflow");
  CHECK(a.source == "/abs/trace.txt");
  CHECK_FALSE(a.mem_reserved_bytes);

  const Execution& failed = p.rows[1];
  CHECK(failed.status == Status::failed);
  CHECK(failed.exit_code == 1);
  CHECK(*failed.runtime_s == Approx(0.25));
  CHECK_FALSE(failed.cpu_time_s);
  CHECK_FALSE(failed.peak_rss_bytes);
  CHECK(failed.features.empty());

  CHECK(p.rows[2].task_id == "fastqc (s1)");
  CHECK(p.rows[2].native_id == "4");
}

TEST_CASE("trace CSV: raw numbers, requested resources, attempts, hosts") {
  ImportOptions options;
  options.run_id = "eager-1";
  options.workflow = "eager";
  Parsed p = parse_nextflow_trace(kTraceCsv, "trace_eager.csv", options);
  REQUIRE(p.rows.size() == 2);
  const Execution& a = p.rows[0];
  CHECK(a.run_id == "eager-1");
  CHECK(a.workflow == "eager");
  CHECK(a.category == "fastqc");
  CHECK(a.start_s == 1719302573);
  CHECK(a.end_s == 1719302586);
  CHECK(a.runtime_s == 12.291);
  CHECK(*a.cpu_time_s == Approx(1.196 * 12.291));
  CHECK(a.peak_rss_bytes == 305635328);
  CHECK(a.mem_reserved_bytes == 4294967296);
  CHECK(a.cpus_reserved == 2);
  CHECK(a.host == "node3");
  CHECK(a.features == std::vector<std::pair<std::string, double>>{{"cpus", 2}, {"input_bytes", 145215827}});
  const Execution& b = p.rows[1];
  CHECK(b.attempt == 2);
  CHECK(b.host.empty());
  CHECK_FALSE(b.peak_rss_bytes);
  CHECK_FALSE(b.read_bytes);
}

TEST_CASE("importing a trace twice adds its rows once") {
  TempDir dir;
  std::string path = dir.write("trace.txt", kTraceTxt);
  Store store = Store::open(":memory:");
  CHECK(import_nextflow_trace(store, path) == ImportResult{3, 0, 1});
  CHECK(import_nextflow_trace(store, path) == ImportResult{0, 3, 1});
  // The same file reached by another spelling of its path is still the same source.
  CHECK(import_nextflow_trace(store, dir.file("./trace.txt")) == ImportResult{0, 3, 1});
  CHECK(store.count() == 3);
  CHECK(store.samples("fastqc").size() == 2);
  CHECK(store.export_all()[0].source == std::filesystem::canonical(path).string());
}

TEST_CASE("a bad row names file:line and the problem, and nothing is imported") {
  TempDir dir;
  std::string text = kTraceCsv;
  text += "9,aa/bbbbbb,fastqc,fastqc (DA2),COMPLETED,0,2,4294967296,1,1,2000,3000,4,abc,1,1,1,1,1,-\n";
  std::string path = dir.write("bad.csv", text);
  Store store = Store::open(":memory:");
  try {
    import_nextflow_trace(store, path);
    FAIL("expected an error");
  } catch (const wf::Error& e) {
    CHECK(e.exit() == wf::util::Exit::data);
    CHECK(std::string(e.what()) == path + ":4: column 'realtime': cannot read 'abc' as a duration");
  }
  CHECK(store.count() == 0);

  CHECK_THROWS_WITH(parse_nextflow_trace("a,b\n1,2\n", "x.csv"), Catch::Contains("x.csv:1: not a Nextflow trace"));
  CHECK_THROWS_WITH(parse_nextflow_trace("name,status\nt,WEIRD\n", "x.csv"),
                    "x.csv:2: unknown task status 'WEIRD'");
  CHECK_THROWS_WITH(import_nextflow_trace(store, dir.file("absent.txt")), Catch::Contains("cannot open"));
}
