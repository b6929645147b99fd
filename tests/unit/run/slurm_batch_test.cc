// What wf submits: the batch script, the sbatch command line, job names and unit roundings.
#include <algorithm>

#include <catch2/catch.hpp>

#include "run/slurm_batch.h"
#include "run/slurm_outcome.h"

using namespace wf;
using namespace wf::run;

namespace {
bool has(const std::vector<std::string>& v, const std::string& s) { return std::find(v.begin(), v.end(), s) != v.end(); }
}  // namespace

TEST_CASE("slurm batch: a shell command is copied verbatim after the cd and the exports") {
  BatchScript s;
  s.run_id = "r1";
  s.task_id = "align";
  s.attempt = 2;
  s.workdir = "/shared/work dir";
  s.command.script = "cat 'a b' | grep -c x > \"$WF_TASK_ID.n\"";
  s.cpus = 3;
  s.mem_bytes = 1048576;
  std::string text = batch_script(s);
  CHECK(text.rfind("#!/bin/sh\n", 0) == 0);
  CHECK(text.find("cd '/shared/work dir' || exit 1\n") != std::string::npos);
  CHECK(text.find("WF_ATTEMPT=2; export WF_ATTEMPT\n") != std::string::npos);
  CHECK(text.find("WF_CPUS=3; export WF_CPUS\n") != std::string::npos);
  CHECK(text.find("WF_MEM=1048576; export WF_MEM\n") != std::string::npos);
  // The last line is the command as written: one shell parses it, no second quoting.
  CHECK(text.substr(text.size() - s.command.script.size() - 1) == s.command.script + "\n");
  CHECK((text.find("cd ") < text.find(s.command.script)));
}

TEST_CASE("slurm batch: an argv command becomes one exec line of quoted words") {
  BatchScript s;
  s.run_id = "r";
  s.task_id = "t";
  s.workdir = "/w";
  s.command.shell = false;
  s.command.argv = {"python3", "-c", "print('hi there')"};
  std::string text = batch_script(s);
  CHECK(text.find("exec python3 -c 'print('\\''hi there'\\'')'\n") != std::string::npos);
}

TEST_CASE("slurm batch: the sbatch command line carries resources, dependencies and placement") {
  JobRequest r;
  r.name = job_name("run-1", "b");
  r.script_path = "/runs/r/slurm/0001-b.1.sh";
  r.workdir = "/runs/r/work";
  r.out_path = "/runs/50%/logs/b.out";
  r.err_path = "/runs/50%/logs/b.err";
  r.partition = "main";
  r.reservation = "wf-res-1";
  r.cpus = 2;
  r.mem_mib = 512;
  r.time_min = 3;
  r.after_ok = {"11", "12"};
  r.begin_in_s = 4;
  auto a = sbatch_argv(r);
  CHECK(a.front() == "sbatch");
  CHECK(a[1] == "--parsable");
  CHECK(a.back() == r.script_path);
  CHECK(has(a, "--job-name=wf.run-1.b"));
  CHECK(has(a, "--cpus-per-task=2"));
  CHECK(has(a, "--mem=512M"));
  CHECK(has(a, "--time=3"));
  CHECK(has(a, "--partition=main"));
  CHECK(has(a, "--reservation=wf-res-1"));
  CHECK(has(a, "--dependency=afterok:11:12"));
  CHECK(has(a, "--kill-on-invalid-dep=yes"));
  CHECK(has(a, "--begin=now+4"));
  CHECK(has(a, "--output=/runs/50%%/logs/b.out"));  // sbatch would expand a bare %
  CHECK(has(a, "--chdir=/runs/r/work"));

  JobRequest plain;
  plain.name = "wf.r.a";
  plain.script_path = "/s.sh";
  auto p = sbatch_argv(plain);
  CHECK(std::none_of(p.begin(), p.end(), [](const auto& s) {
    return s.rfind("--mem", 0) == 0 || s.rfind("--time", 0) == 0 || s.rfind("--dependency", 0) == 0 ||
           s.rfind("--reservation", 0) == 0 || s.rfind("--partition", 0) == 0;
  }));
}

TEST_CASE("slurm batch: job names keep history's wf.<run>.<task> shape") {
  CHECK(job_name("nightly-20261129T020000-1a2b", "align") == "wf.nightly-20261129T020000-1a2b.align");
  CHECK(job_name("a.b", "x y/z.1") == "wf.a_b.x_y_z.1");  // no dot in the run part
  CHECK(job_name("r", std::string(300, 't')).size() == 200);
}

TEST_CASE("slurm batch: memory rounds up to MiB and time up to whole minutes") {
  CHECK(mem_mib(0) == 0);
  CHECK(mem_mib(1) == 1);
  CHECK(mem_mib(1048576) == 1);
  CHECK(mem_mib(1048577) == 2);
  CHECK(time_minutes(1) == 1);
  CHECK(time_minutes(60) == 1);
  CHECK(time_minutes(61) == 2);
  CHECK(time_minutes(0) == 1);
}

TEST_CASE("slurm outcome: memory grows 1.5x from the largest of measured, asked and granted") {
  JobEnd end;
  end.measured.peak_rss_bytes = 300 << 20;
  end.measured.mem_reserved_bytes = 200 << 20;
  CHECK(grown_memory(end, 200.0 * (1 << 20), 1.5, 0) == 450.0 * (1 << 20));
  CHECK(grown_memory(end, 200.0 * (1 << 20), 1.5, 400.0 * (1 << 20)) == 400.0 * (1 << 20));  // the largest node
  end.measured.peak_rss_bytes.reset();
  CHECK(grown_memory(end, 0, 1.5, 0) == 300.0 * (1 << 20));  // the site's default, grown
}

TEST_CASE("slurm outcome: states map to attempt statuses, with memory kills found") {
  JobEnd end;
  end.state = "COMPLETED";
  end.measured.exit_code = 0;
  CHECK(attempt_status(end, 0, "", false) == "succeeded");
  end.state = "FAILED";
  end.measured.exit_code = 3;
  CHECK(attempt_status(end, 0, "", false) == "failed");
  end.measured.exit_code = 0;
  end.measured.signal = 9;
  CHECK(attempt_status(end, 100e6, "slurmstepd-n1: error: StepId=11.batch exceeded memory limit (1 > 0), being killed", false) == "oom");
  end.measured.peak_rss_bytes = 95'000'000;
  CHECK(attempt_status(end, 100e6, "", false) == "oom");  // sampled peak at 95% of --mem
  end.measured.peak_rss_bytes = 10'000'000;
  CHECK(attempt_status(end, 100e6, "", false) == "failed");  // killed, but not for memory
  end.state = "OUT_OF_MEMORY";
  CHECK(attempt_status(end, 0, "", false) == "oom");
  end.state = "TIMEOUT";
  end.measured.signal = 0;
  CHECK(attempt_status(end, 0, "", false) == "timeout");
  end.state = "CANCELLED";
  CHECK(attempt_status(end, 0, "", false) == "cancelled");
  CHECK(attempt_status(end, 0, "", true) == "interrupted");
}

TEST_CASE("slurm batch: a newline in a run or task id cannot add a line to the script") {
  BatchScript s;
  s.run_id = "r\nrm -rf /tmp/x";
  s.task_id = "t\r\ntouch /tmp/y";
  s.attempt = 1;
  s.workdir = "/tmp";
  s.command.script = "true";
  std::string text = batch_script(s);
  // The comment stays one line, the cd follows it, and the ids' only other place is a quoted value.
  CHECK(text.find("#!/bin/sh\n# wf-run: run r?rm -rf /tmp/x task t??touch /tmp/y attempt 1;") == 0);
  CHECK(text.find("\ncd /tmp || exit 1\n") != std::string::npos);
  CHECK(text.find("WF_RUN_ID='r\nrm -rf /tmp/x'; export WF_RUN_ID\n") != std::string::npos);
  CHECK(text.find("\nrm -rf") == text.find("WF_RUN_ID='r") + 12);
}
