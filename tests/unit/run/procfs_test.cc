#include <algorithm>
#include <chrono>
#include <csignal>
#include <filesystem>
#include <thread>

#include <fmt/format.h>

#include <catch2/catch.hpp>

#include "run/command.h"
#include "run/process.h"
#include "run/procfs.h"
#include "run/reaper.h"
#include "run/wait_status.h"
#include "test_support.h"
#include "util/error.h"

using namespace wf::run;
using wf::run::testing::reap;
using wf::run::testing::TempDir;
using wf::run::testing::write_text;

namespace {

// A /proc/PID/stat line as Linux writes it, with the fields wf reads set.
std::string stat_line(pid_t pid, const std::string& comm, char state, pid_t ppid, pid_t pgrp,
                      uint64_t utime, uint64_t stime, uint64_t cutime, uint64_t cstime, uint64_t rss) {
  return fmt::format(
      "{} ({}) {} {} {} {} 0 -1 4194304 102 0 0 0 {} {} {} {} 20 0 1 0 84754 3133440 {} "
      "18446744073709551615 94498366484480 94498366504361 140733325356432 0 0 0 0 0 0 0 0 0 17 1 0 0 "
      "0 0 0\n",
      pid, comm, state, ppid, pgrp, pgrp, utime, stime, cutime, cstime, rss);
}

std::string io_text(uint64_t rchar, uint64_t wchar, uint64_t read_bytes, uint64_t write_bytes) {
  return fmt::format("rchar: {}\nwchar: {}\nsyscr: 10\nsyscw: 0\nread_bytes: {}\nwrite_bytes: {}\n"
                     "cancelled_write_bytes: 0\n",
                     rchar, wchar, read_bytes, write_bytes);
}

struct FakeProc {
  pid_t pid, ppid, pgrp;
  char state;
  uint64_t ticks;  // utime; stime, cutime, cstime are 1 each
  uint64_t rss_pages;
  bool io;
};

// A fake /proc: wf-run (100) runs task 200 and task 400.
//   200 root, 201 its child, 202 a grandchild in a sub-group of its own (chain),
//   300 an orphan of the task still in group 200, 301 its child in a group of its own,
//   400 root of the second task, 401 its zombie child, 500 unrelated, 1 init, 2 a kernel thread.
void make_fake_proc(const TempDir& dir) {
  const FakeProc procs[] = {
      {1, 0, 1, 'S', 5, 10, true},        {2, 0, 0, 'S', 0, 0, false},
      {100, 1, 100, 'S', 7, 10, true},    {200, 100, 200, 'S', 10, 100, true},
      {201, 200, 200, 'R', 20, 200, true}, {202, 201, 202, 'S', 30, 300, true},
      {300, 1, 200, 'S', 40, 400, true},  {301, 300, 301, 'S', 50, 500, false},
      {400, 100, 400, 'S', 60, 600, true}, {401, 400, 400, 'Z', 70, 0, true},
      {500, 1, 500, 'S', 80, 800, true},
  };
  for (const FakeProc& p : procs) {
    std::string d = dir.file(std::to_string(p.pid));
    std::filesystem::create_directories(d);
    write_text(d + "/stat", stat_line(p.pid, p.pid == 201 ? "(a) b)" : "worker", p.state, p.ppid, p.pgrp,
                                      p.ticks, 1, 1, 1, p.rss_pages));
    if (p.io) write_text(d + "/io", io_text(1000 * p.pid, 10 * p.pid, 100, 200));
  }
  write_text(dir.file("301/io"), "garbage\n");  // unreadable in effect: io_complete goes false
  write_text(dir.file("meminfo"), "MemTotal: 1 kB\n");
  std::filesystem::create_directories(dir.file("self"));
  std::filesystem::create_directories(dir.file("sys"));
}

}  // namespace

TEST_CASE("parse_stat takes the command name up to the last parenthesis") {
  auto st = parse_stat(stat_line(17667, "(a) b)", 'R', 17665, 17600, 12, 3, 4, 5, 375));
  REQUIRE(st.has_value());
  CHECK(st->pid == 17667);
  CHECK(st->state == 'R');
  CHECK(st->ppid == 17665);
  CHECK(st->pgrp == 17600);
  CHECK(st->session == 17600);
  CHECK(st->utime_ticks == 12);
  CHECK(st->stime_ticks == 3);
  CHECK(st->cutime_ticks == 4);
  CHECK(st->cstime_ticks == 5);
  CHECK(st->start_ticks == 84754);
  CHECK(st->rss_pages == 375);

  auto spaced = parse_stat(stat_line(5, ") ) (", 'S', 1, 5, 0, 0, 0, 0, 1));
  REQUIRE(spaced.has_value());
  CHECK(spaced->ppid == 1);
  CHECK(spaced->rss_pages == 1);
}

TEST_CASE("parse_stat refuses malformed lines") {
  CHECK_FALSE(parse_stat("").has_value());
  CHECK_FALSE(parse_stat("12 (x").has_value());
  CHECK_FALSE(parse_stat("12 (x) S 1 2 3").has_value());  // cut short
  CHECK_FALSE(parse_stat("x (y) S 1 2 3 0 -1 0 0 0 0 0 1 1 1 1 20 0 1 0 5 6 7").has_value());
  CHECK(parse_stat("12 (y) S 1 2 3 0 -1 0 0 0 0 0 1 1 1 1 20 0 1 0 5 6 7").has_value());
}

TEST_CASE("parse_io reads the byte counters") {
  auto io = parse_io(io_text(6976, 12, 4096, 8192));
  REQUIRE(io.has_value());
  CHECK(io->rchar == 6976);
  CHECK(io->wchar == 12);
  CHECK(io->read_bytes == 4096);
  CHECK(io->write_bytes == 8192);
  CHECK_FALSE(parse_io("read_bytes: 1\n").has_value());
  CHECK_FALSE(parse_io("").has_value());
}

TEST_CASE("loadavg: the runnable count, the reader taken off") {
  CHECK(parse_loadavg_runnable("0.52 0.58 0.59 3/1042 12345\n") == 2);
  CHECK(parse_loadavg_runnable("9.10 8.00 7.00 1/300 99") == 0);
  CHECK(parse_loadavg_runnable("0.00 0.00 0.00 0/300 99") == 0);
  CHECK_FALSE(parse_loadavg_runnable("0.52 0.58 0.59"));
  CHECK_FALSE(parse_loadavg_runnable("0.52 0.58 0.59 /1042 1"));
  CHECK_FALSE(parse_loadavg_runnable("0.52 0.58 0.59 x/1042 1"));
  TempDir dir;
  CHECK_FALSE(read_host_load(dir.file("")));
  write_text(dir.file("loadavg"), "1.00 1.00 1.00 5/100 7\n");
  auto load = read_host_load(dir.file(""));
  REQUIRE(load);
  CHECK(load->runnable == 4);
  CHECK(load->cpus >= 1);
  CHECK(read_host_load());  // this machine's /proc
}

TEST_CASE("cpu pressure: the some line's total, in seconds") {
  CHECK(parse_cpu_pressure_some("some avg10=0.00 avg60=0.20 avg300=0.67 total=17007928074\n"
                                "full avg10=0.00 avg60=0.00 avg300=0.00 total=0\n") == Approx(17007.928074));
  CHECK(parse_cpu_pressure_some("some avg10=1.00 avg60=1.00 avg300=1.00 total=0") == 0);
  CHECK_FALSE(parse_cpu_pressure_some("full avg10=0.00 avg60=0.00 avg300=0.00 total=5\n"));
  CHECK_FALSE(parse_cpu_pressure_some("some avg10=0.00 avg60=0.20 avg300=0.67\n"));
  CHECK_FALSE(parse_cpu_pressure_some("some avg10=0.00 total=12x\n"));
  CHECK_FALSE(parse_cpu_pressure_some("some avg10=0.00 total=\n"));
  CHECK_FALSE(parse_cpu_pressure_some(""));
  TempDir dir;
  CHECK_FALSE(read_cpu_pressure_s(dir.file("")));  // a kernel without pressure stall information
  std::filesystem::create_directories(dir.file("pressure"));
  write_text(dir.file("pressure/cpu"), "some avg10=0.00 avg60=0.00 avg300=0.00 total=2500000\nfull avg10=0.00 avg60=0.00 avg300=0.00 total=0\n");
  CHECK(read_cpu_pressure_s(dir.file("")) == Approx(2.5));
}

TEST_CASE("one pass attributes processes by parent chain and by process group") {
  TempDir dir;
  make_fake_proc(dir);
  ProcSampler sampler(ProcfsOptions{dir.path().string(), 100, 4096});
  const pid_t roots[] = {400, 200, 999};
  std::vector<TaskUsage> usage = sampler.sample(roots);
  REQUIRE(usage.size() == 3);

  const TaskUsage& t200 = usage[1];  // 200, 201, 202 by chain; 300 by group; 301 below 300
  CHECK(t200.root == 200);
  CHECK(t200.processes == 5);
  CHECK(t200.rss_bytes == (100u + 200 + 300 + 400 + 500) * 4096);
  CHECK(t200.cpu_s == Approx((10 + 20 + 30 + 40 + 50 + 5 * 3) / 100.0));
  CHECK(t200.read_bytes == 1000u * (200 + 201 + 202 + 300));
  CHECK(t200.write_bytes == 10u * (200 + 201 + 202 + 300));
  CHECK(t200.disk_read_bytes == 4 * 100u);
  CHECK(t200.disk_write_bytes == 4 * 200u);
  CHECK_FALSE(t200.io_complete);  // 301's io file is unreadable

  const TaskUsage& t400 = usage[0];  // the zombie's CPU and I/O count, not its process
  CHECK(t400.root == 400);
  CHECK(t400.processes == 1);
  CHECK(t400.rss_bytes == 600u * 4096);
  CHECK(t400.cpu_s == Approx((60 + 70 + 2 * 3) / 100.0));
  CHECK(t400.read_bytes == 1000u * (400 + 401));
  CHECK(t400.io_complete);

  CHECK(usage[2].root == 999);
  CHECK(usage[2].processes == 0);
  CHECK(usage[2].cpu_s == 0);

  CHECK(sampler.members(200) == std::vector<pid_t>{200, 201, 202, 300, 301});
  CHECK(sampler.members(400) == std::vector<pid_t>{400, 401});
  CHECK(sampler.members(100) == std::vector<pid_t>{100, 200, 201, 202, 400, 401});

  // Passes are independent: a process gone from the fake /proc is gone from the sums.
  std::filesystem::remove_all(dir.file("202"));
  std::vector<TaskUsage> again;
  sampler.sample(roots, again);
  CHECK(again[1].processes == 4);
  // ... (202 took 0.33 s with it) and a changed one is read afresh, though its stat file is kept open between passes.
  write_text(dir.file("201/stat"), stat_line(201, "(a) b)", 'R', 200, 200, 120, 1, 1, 1, 200));
  sampler.sample(roots, again);
  CHECK(again[1].cpu_s == Approx(t200.cpu_s - 0.33 + 1.00));
}

TEST_CASE("a sampler needs a readable root") {
  CHECK_THROWS_AS(ProcSampler(ProcfsOptions{"/nonexistent/proc"}), wf::Error);
}

TEST_CASE("a real process tree is found by the sampler and killed with its group") {
  TempDir dir;
  Reaper reaper;
  become_subreaper();  // the sleeps, orphaned when sh dies, come back to us to be reaped
  SpawnSpec spec;
  spec.argv = argv_for("sleep 30 & sleep 30 & wait");
  spec.env = {"PATH=/usr/bin:/bin"};
  pid_t pid = spawn(spec);

  ProcSampler sampler;
  const pid_t roots[] = {pid};
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  std::vector<pid_t> members;
  while (std::chrono::steady_clock::now() < deadline) {
    members = sampler.members(pid);
    if (members.size() == 3 && sampler.sample(roots)[0].processes == 3) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  REQUIRE(members.size() == 3);
  CHECK(members.front() == pid);

  CHECK(kill_group(pid, SIGKILL));
  for (const Exit& exit : wf::run::testing::reap_all(reaper, members)) CHECK(killed_by_sigkill(exit.status));
  for (pid_t member : members) {
    errno = 0;
    CHECK(::kill(member, 0) == -1);
    CHECK(errno == ESRCH);
  }
  CHECK(sampler.sample(roots)[0].processes == 0);
}

TEST_CASE("a sample sees the memory of a running task") {
  TempDir dir;
  Reaper reaper;
  SpawnSpec spec;
  spec.argv = argv_for("python3 -c 'x = b\"x\" * (200 << 20); import time; time.sleep(1)' || "
                       "x=$(head -c 200000000 /dev/zero | tr '\\0' a)");
  spec.env = {"PATH=/usr/bin:/bin"};
  pid_t pid = spawn(spec);
  ProcSampler sampler;
  const pid_t roots[] = {pid};
  std::vector<TaskUsage> usage;
  uint64_t peak_rss = 0;
  std::optional<Exit> exit;
  // The executor's loop: sample between waits until the task ends.
  while (!(exit = reaper.wait_any(0.02))) {
    sampler.sample(roots, usage);
    peak_rss = std::max(peak_rss, usage[0].rss_bytes);
  }
  REQUIRE(exit->pid == pid);
  CHECK(exit_code(exit->status) == 0);
  CHECK(peak_rss >= 150u << 20);
  CHECK(exit->max_rss_bytes >= 150u << 20);
}
