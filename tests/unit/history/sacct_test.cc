#include <catch2/catch.hpp>

#include <cstdlib>
#include <ctime>

#include "history/import_sacct.h"
#include "history/store.h"
#include "temp_dir.h"

using namespace wf::history;
using Catch::Detail::Approx;
using wf::history::testing::TempDir;

namespace {

// sacct -P -o JobID,JobName,State,ExitCode,Elapsed,TotalCPU,MaxRSS,ReqMem,AllocCPUS,Start,End,NodeList
const char* kSacct =
    "JobID|JobName|State|ExitCode|Elapsed|TotalCPU|MaxRSS|ReqMem|AllocCPUS|Start|End|NodeList\n"
    "101|wf.run7.align|COMPLETED|0:0|00:10:00|00:00:00||4G|2|2024-05-01T10:00:00|2024-05-01T10:10:00|node1\n"
    "101.batch|batch|COMPLETED|0:0|00:10:00|08:20.500|1.5G||2|2024-05-01T10:00:00|2024-05-01T10:10:00|node1\n"
    "101.extern|extern|COMPLETED|0:0|00:10:00|00:00.010|1024K||2|2024-05-01T10:00:00|2024-05-01T10:10:00|node1\n"
    "101.0|bwa|COMPLETED|0:0|00:09:00|10:00.000|2500M||2|2024-05-01T10:00:30|2024-05-01T10:09:30|node1\n"
    "102|wf.run7.align|OUT_OF_MEMORY|0:125|00:01:00|00:30.000||4000Mc|2|2024-05-01T10:11:00|2024-05-01T10:12:00|node2\n"
    "102.batch|batch|OUT_OF_MEMORY|0:125|00:01:00|00:30.000|4096000K||2|2024-05-01T10:11:00|2024-05-01T10:12:00|node2\n"
    "103|plain-job|CANCELLED by 1000|0:15|1-00:00:00|00:00:00||100n|1|2024-05-01T10:00:00|2024-05-02T10:00:00|node3\n"
    "104|wf.run7.sort|PENDING|0:0|00:00:00|00:00:00||1G|1|Unknown|Unknown|None assigned\n"
    "105|wf.run7.sort|CANCELLED by 0|0:0|00:00:00|00:00:00||1G|1|None|2024-05-01T10:00:00|None assigned\n";

void utc() {
  setenv("TZ", "UTC", 1);
  tzset();
}

}  // namespace

TEST_CASE("sacct: steps fold into their job") {
  utc();
  SacctOptions options;
  options.run_id = "fallback";
  Parsed p = parse_sacct(kSacct, "sacct.txt", options);
  CHECK(p.skipped == 2);  // pending 104, 105 cancelled before it started
  REQUIRE(p.rows.size() == 3);

  const Execution& a = p.rows[0];
  CHECK(a.run_id == "run7");
  CHECK(a.task_id == "align");
  CHECK(a.category == "align");
  CHECK(a.native_id == "101");
  CHECK(a.attempt == 1);
  CHECK(a.status == Status::succeeded);
  CHECK(a.exit_code == 0);
  CHECK(a.signal == 0);
  CHECK(a.start_s == 1714557600);
  CHECK(a.end_s == 1714557600 + 600);
  CHECK(a.runtime_s == 600);
  CHECK(*a.cpu_time_s == Approx(500.5 + 0.01 + 600));  // the steps, summed
  CHECK(a.peak_rss_bytes == 2500LL * 1024 * 1024);      // the largest step
  CHECK(a.mem_reserved_bytes == 4LL << 30);
  CHECK(a.cpus_reserved == 2);
  CHECK(a.host == "node1");
  CHECK(a.executor == "import:sacct");
  CHECK(a.features == std::vector<std::pair<std::string, double>>{{"cpus", 2}});

  const Execution& b = p.rows[1];
  CHECK(b.task_id == "align");
  CHECK(b.attempt == 2);  // the second job of run7/align
  CHECK(b.status == Status::oom);
  CHECK(b.signal == 125);
  CHECK(b.cpu_time_s == 30);
  CHECK(b.peak_rss_bytes == 4096000LL * 1024);
  CHECK(b.mem_reserved_bytes == 2 * 4000LL * 1024 * 1024);  // per cpu

  const Execution& c = p.rows[2];
  CHECK(c.run_id == "fallback");
  CHECK(c.task_id == "plain-job");
  CHECK(c.status == Status::cancelled);
  CHECK(c.runtime_s == 86400);
  CHECK(c.mem_reserved_bytes == 100LL * 1024 * 1024);
  CHECK_FALSE(c.peak_rss_bytes);
}

TEST_CASE("sacct: the caller's category rule, and output without a header") {
  utc();
  std::string body = std::string(kSacct).substr(std::string(kSacct).find('\n') + 1);
  SacctOptions options;
  options.category = [](std::string_view, std::string_view task, std::string_view) {
    return task == "align" ? std::string("bwa-mem") : std::string();  // "" skips
  };
  Parsed p = parse_sacct(body, "noheader.txt", options);
  REQUIRE(p.rows.size() == 2);
  CHECK(p.rows[0].category == "bwa-mem");
  CHECK(p.rows[0].run_id == "run7");
  CHECK(p.skipped == 3);
}

TEST_CASE("sacct: bad rows and idempotent import") {
  utc();
  CHECK_THROWS_WITH(parse_sacct("JobID|State|Elapsed\n1|COMPLETED|forever\n", "s.txt"),
                    "s.txt:2: column 'Elapsed': cannot read 'forever' as a duration");
  CHECK_THROWS_WITH(parse_sacct("JobID|State\n1.batch|COMPLETED\n", "s.txt"),
                    "s.txt:2: step of job 1 without the job's own line");
  CHECK_THROWS_WITH(parse_sacct("JobID|State\n1|EXPLODED\n", "s.txt"), "s.txt:2: unknown job state 'EXPLODED'");
  // Without a header the line numbers still count from the file's first line.
  CHECK_THROWS_WITH(parse_sacct("1|j|COMPLETED|0:0|00:00:01|x|||1|2024-05-01T10:00:00|2024-05-01T10:00:01|n\n", "s.txt"),
                    "s.txt:1: column 'TotalCPU': cannot read 'x' as a duration");

  TempDir dir;
  std::string path = dir.write("sacct.txt", kSacct);
  Store store = Store::open(":memory:");
  CHECK(import_sacct(store, path) == ImportResult{3, 0, 2});
  CHECK(import_sacct(store, path) == ImportResult{0, 3, 2});
  CHECK(store.samples("align", wf::history::testing::query(false)).size() == 2);
}
