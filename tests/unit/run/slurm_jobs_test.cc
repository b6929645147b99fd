// Reading what Slurm prints: sacct -P (real output of the test cluster), squeue, scontrol records,
// node states and pre-warming, and the Slurm journal's resume state.
#include <catch2/catch.hpp>

#include "run/journal.h"
#include "run/slurm_jobs.h"
#include "run/slurm_journal.h"
#include "run/slurm_nodes.h"
#include "run/slurm_outcome.h"
#include "slurm_fake_cluster.h"
#include "test_support.h"
#include "util/log.h"

using namespace wf;
using namespace wf::run;

namespace {

// sacct -P from scripts/slurm-up's cluster: a job killed by OverMemoryKill (11), dependents that
// were cancelled before they ran (12; 15, which Slurm gave a start time equal to its end but no
// node), a completed job (13) and one still running (14).
const char* kSacct =
    "JobID|JobName|State|ExitCode|Elapsed|TotalCPU|MaxRSS|ReqMem|AllocCPUS|Start|End|NodeList\n"
    "11|wf.r1.a|FAILED|0:9|00:00:02|00:00.002||100M|1|2026-11-29T13:37:03|2026-11-29T13:37:05|n1\n"
    "11.batch|batch|CANCELLED by 0|0:9|00:00:02|00:00.002|157992K||1|2026-11-29T13:37:03|2026-11-29T13:37:05|n1\n"
    "12|wf.r1.b|CANCELLED|0:0|00:00:00|00:00:00||1G|1|None|2026-11-29T13:37:06|None assigned\n"
    "13|wf.r1.c|COMPLETED|0:0|00:00:03|00:01.250||1G|2|2026-11-29T13:37:03|2026-11-29T13:37:06|n2\n"
    "13.batch|batch|COMPLETED|0:0|00:00:03|00:01.200|204800K||2|2026-11-29T13:37:03|2026-11-29T13:37:06|n2\n"
    "13.extern|extern|COMPLETED|0:0|00:00:03|00:00.050|1024K||2|2026-11-29T13:37:03|2026-11-29T13:37:06|n2\n"
    "14|wf.r1.d|RUNNING|0:0|00:00:01|00:00:00||1G|1|2026-11-29T13:37:05|Unknown|n1\n"
    "15|wf.r1.e|CANCELLED by 0|0:0|00:00:00|00:00:00||1G|1|2026-11-29T15:06:34|2026-11-29T15:06:34|None assigned\n";

}  // namespace

TEST_CASE("slurm jobs: sacct output gives final jobs with their steps' usage") {
  auto ends = parse_accounting(kSacct);
  REQUIRE(ends.size() == 4);  // 14 is still running
  const JobEnd& a = ends.at("11");
  CHECK(a.state == "FAILED");
  CHECK(a.started);
  CHECK(a.usage);
  CHECK(a.measured.signal == 9);
  CHECK(a.measured.peak_rss_bytes == 157992LL * 1024);
  CHECK(a.measured.mem_reserved_bytes == 100LL << 20);
  CHECK(attempt_status(a, 100 << 20, "", false) == "oom");
  const JobEnd& b = ends.at("12");
  CHECK(b.state == "CANCELLED");
  CHECK(!b.started);
  CHECK(!ends.at("15").started);
  CHECK(ends.at("15").state == "CANCELLED");
  const JobEnd& c = ends.at("13");
  CHECK(c.measured.status == history::Status::succeeded);
  CHECK(c.measured.runtime_s == Approx(3));
  CHECK(c.measured.cpu_time_s == Approx(1.25));
  CHECK(c.measured.peak_rss_bytes == 204800LL * 1024);
  CHECK(c.measured.cpus_reserved == 2);
  CHECK(c.measured.host == "n2");
}

TEST_CASE("slurm jobs: a job that ran is not final until its steps are (their usage comes separately)") {
  std::string text =
      "JobID|JobName|State|ExitCode|Elapsed|TotalCPU|MaxRSS|ReqMem|AllocCPUS|Start|End|NodeList\n"
      "16|wf.r1.a|FAILED|0:9|00:00:02|00:00:00||100M|1|2026-11-29T13:37:03|2026-11-29T13:37:05|n1\n";
  CHECK(parse_accounting(text).empty());  // no step line yet
  std::string running = text + "16.batch|batch|RUNNING|0:0|00:00:02|00:00:00|||1|2026-11-29T13:37:03|Unknown|n1\n";
  CHECK(parse_accounting(running).empty());
  std::string done = text + "16.batch|batch|CANCELLED by 0|0:9|00:00:02|00:00.100|270868K||1|2026-11-29T13:37:03|2026-11-29T13:37:05|n1\n";
  REQUIRE(parse_accounting(done).size() == 1);
  CHECK(parse_accounting(done).at("16").measured.peak_rss_bytes == 270868LL * 1024);
  // A record still being written (seen: ReqMem "16?") waits for the next poll; others go on.
  std::string half = done + "17|wf.r1.b|COMPLETED|0:0|00:00:01|00:00:00||16?|1|2026-11-29T13:37:03|2026-11-29T13:37:04|n1\n" +
                     "17.batch|batch|COMPLETED|0:0|00:00:01|00:00:00|1024K||1|2026-11-29T13:37:03|2026-11-29T13:37:04|n1\n";
  auto ends = parse_accounting(half);
  CHECK(ends.count("16") == 1);
  CHECK(ends.count("17") == 0);
}

TEST_CASE("slurm jobs: squeue states, forgotten jobs and accounting that is switched off") {
  testing::FakeCluster cluster;
  cluster.tasks["a"].steps = 5;
  cluster.add_job("7", "a", "RUNNING");
  std::vector<std::string> ids = {"7", "8"};
  auto q = queue_states(cluster, ids);
  REQUIRE(q.size() == 1);
  CHECK(q.at("7").state == "RUNNING");
  std::vector<std::string> gone = {"99"};
  CHECK(queue_states(cluster, gone).empty());  // "Invalid job id specified" is not an error
  cluster.accounting = false;
  CHECK(!accounting(cluster, ids).available);
  CHECK(is_final_state("CANCELLED by 0"));
  CHECK(!is_final_state("COMPLETING"));
  CHECK(!is_final_state("PENDING"));
}

TEST_CASE("slurm jobs: a refused submission is an error naming Slurm's message") {
  struct Refusing final : SlurmClient {
    SlurmCall call(const std::vector<std::string>&) override {
      return {1, "", "sbatch: error: Batch job submission failed: Invalid partition name specified\n"};
    }
  } refusing;
  JobRequest r;
  r.name = "wf.r.a";
  r.script_path = "/s.sh";
  try {
    submit_job(refusing, r);
    FAIL("no error");
  } catch (const Error& e) {
    CHECK(e.exit() == util::Exit::unavailable);
    CHECK(std::string(e.what()).find("Invalid partition name specified") != std::string::npos);
  }
}

TEST_CASE("slurm nodes: power states and what to power up for a demand") {
  testing::FakeCluster cluster;
  cluster.nodes_text =
      "NodeName=c1 CPUTot=2 RealMemory=2048 State=IDLE+CLOUD+POWERED_DOWN Partitions=cloud\n"
      "NodeName=c2 CPUTot=2 RealMemory=2048 State=IDLE+CLOUD+POWERING_DOWN Partitions=cloud\n"
      "NodeName=c3 CPUTot=2 RealMemory=2048 State=IDLE+CLOUD+POWERED_DOWN Partitions=cloud\n"
      "NodeName=c4 CPUTot=2 RealMemory=2048 State=IDLE+CLOUD Partitions=cloud\n"
      "NodeName=n1 CPUTot=4 RealMemory=4096 State=IDLE Partitions=main\n";
  auto nodes = partition_nodes(cluster, "cloud");
  REQUIRE(nodes.size() == 4);
  CHECK(nodes[0].powered_down());
  CHECK(nodes[1].powering_down());
  CHECK(!nodes[1].powered_down());
  CHECK(nodes[3].up());
  CHECK(nodes[0].mem_bytes == 2048ULL << 20);
  CHECK(nodes_to_power_up(nodes, 2, 0).empty());  // c4 is up
  CHECK(nodes_to_power_up(nodes, 3, 0) == std::vector<std::string>{"c1"});
  CHECK(nodes_to_power_up(nodes, 6, 0) == std::vector<std::string>{"c1", "c3"});
  CHECK(nodes_to_power_up(nodes, 8, 0) == std::vector<std::string>{"c1", "c3", "c2"});  // powering down: last
  CHECK(nodes_to_power_up(nodes, 1, 5000.0 * (1 << 20)) == std::vector<std::string>{"c1", "c3"});  // memory decides

  util::FakeClock clock;
  testing::FakeWaiter waiter(clock);
  std::vector<std::string> said;
  util::set_diag_sink([](std::string_view line, void* out) { static_cast<std::vector<std::string>*>(out)->emplace_back(line); }, &said);
  auto res = prewarm(cluster, waiter, clock, "cloud", 3, 0, 5, 0.5);
  util::set_diag_sink(nullptr, nullptr);
  REQUIRE(said.size() == 2);
  CHECK(said[0].find("powering up c1 in partition cloud") != std::string::npos);
  CHECK(said[1].find("not up after 5 s") != std::string::npos);
  CHECK(res.nodes == std::vector<std::string>{"c1"});
  CHECK(cluster.powered_up == std::vector<std::string>{"c1"});
  CHECK(!res.ready);  // the fake never boots it
  CHECK(res.waited_s >= 5);
  CHECK(cluster.count("scontrol") > 2);  // polled, asked once
}

TEST_CASE("slurm journal: the last job of a task is followed, success needs the same fingerprint") {
  testing::TempDir dir;
  std::string path = dir.file("journal.jsonl");
  {
    SlurmJournal j(path);
    j.append({"started", "a", 1, "10", "", ""});
    j.append({"finished", "a", 1, "10", "succeeded", "fp-a"});
    j.append({"started", "b", 1, "11", "", ""});
    j.append({"started", "c", 1, "12", "", ""});
    j.append({"started", "c", 1, "15", "", ""});  // resubmitted after an ancestor's retry
    j.append({"started", "d", 1, "13", "", ""});
    j.append({"finished", "d", 1, "13", "failed", ""});
    j.append({"started", "e", 1, "14", "", ""});
    j.append({"finished", "e", 1, "14", "succeeded", "old"});
  }
  // A local run's lines in the same file are not Slurm's: ignored.
  {
    JournalEntry e;
    e.event = "started";
    e.task = "a";
    e.attempt = 1;
    e.pid = 1234;
    Journal(path).append(e);
  }
  auto entries = SlurmJournal::read(path);
  CHECK(entries.size() == 9);
  model::Workflow wf;
  for (const char* id : {"a", "b", "c", "d", "e"}) {
    model::Task t;
    t.id = id;
    wf.tasks.push_back(t);
  }
  auto r = slurm_resume_state(wf, entries, {"fp-a", "", "", "", "new"});
  CHECK(r[0].done);
  CHECK(r[0].job_id.empty());
  CHECK(r[1].job_id == "11");
  CHECK(r[2].job_id == "15");
  CHECK(!r[3].done);
  CHECK(r[3].attempts == 1);
  CHECK(!r[4].done);  // its command or inputs changed since
  CHECK(r[1].attempts == 0);
}

TEST_CASE("slurm jobs: text whose header lacks JobID or State (not sacct's answer to wf's query) holds no job") {
  CHECK(parse_accounting("Job|Name\n1|2\n16.batch|x\n").empty());
  CHECK(parse_accounting("JobID|Name\n1|2\n").empty());
}
