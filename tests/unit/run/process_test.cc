#include <chrono>
#include <csignal>

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>

#include "run/command.h"
#include "run/process.h"
#include "run/reaper.h"
#include "run/wait_status.h"
#include "test_support.h"
#include "util/error.h"

using namespace wf::run;
using wf::run::testing::read_text;
using wf::run::testing::reap;
using wf::run::testing::TempDir;

namespace {

SpawnSpec spec_in(const TempDir& dir, std::vector<std::string> argv) {
  SpawnSpec spec;
  spec.argv = std::move(argv);
  spec.env = {"PATH=/usr/bin:/bin"};
  spec.stdout_path = dir.file("out.log");
  spec.stderr_path = dir.file("err.log");
  return spec;
}

double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

}  // namespace

TEST_CASE("a task's output goes to its logs and its status comes back") {
  TempDir dir;
  Reaper reaper;
  pid_t pid = spawn(spec_in(dir, argv_for("echo hi; echo err >&2; exit 3")));
  Exit exit = reap(reaper, pid);
  CHECK(exit_code(exit.status) == 3);
  CHECK(shell_status(exit.status) == 3);
  CHECK(read_text(dir.file("out.log")) == "hi\n");
  CHECK(read_text(dir.file("err.log")) == "err\n");
}

TEST_CASE("one path for both streams keeps their order in one file") {
  TempDir dir;
  Reaper reaper;
  SpawnSpec spec = spec_in(dir, argv_for("echo one; echo two >&2; echo three"));
  spec.stderr_path = spec.stdout_path;
  CHECK(exit_code(reap(reaper, spawn(spec)).status) == 0);
  CHECK(read_text(dir.file("out.log")) == "one\ntwo\nthree\n");
}

TEST_CASE("environment and working directory are the spec's") {
  TempDir dir;
  Reaper reaper;
  SpawnSpec spec = spec_in(dir, argv_for("pwd; echo \"$WF_TASK_ID\"; echo \"${HOME-unset}\""));
  spec.env.push_back("WF_TASK_ID=t1");
  spec.cwd = dir.path().string();
  CHECK(exit_code(reap(reaper, spawn(spec)).status) == 0);
  CHECK(read_text(dir.file("out.log")) == dir.path().string() + "\nt1\nunset\n");

  // Consecutive spawns reuse posix_spawn's setup while it fits: a change of cwd must not be lost.
  std::filesystem::create_directories(dir.path() / "sub");
  for (std::string cwd : {dir.file("sub"), dir.path().string(), std::string()}) {
    SpawnSpec again = spec_in(dir, {"pwd"});
    again.cwd = cwd;
    CHECK(exit_code(reap(reaper, spawn(again)).status) == 0);
    CHECK(read_text(dir.file("out.log")) == (cwd.empty() ? std::filesystem::current_path().string() : cwd) + "\n");
  }

  // Direct exec: the program is found in the task's PATH, not ours.
  SpawnSpec direct = spec_in(dir, argv_for("printenv WF_TASK_ID"));
  REQUIRE(direct.argv.front() == "printenv");
  direct.env.push_back("WF_TASK_ID=t2");
  CHECK(exit_code(reap(reaper, spawn(direct)).status) == 0);
  CHECK(read_text(dir.file("out.log")) == "t2\n");
}

TEST_CASE("a missing program exits 127 with the shell's kind of message") {
  TempDir dir;
  Reaper reaper;
  pid_t pid = spawn(spec_in(dir, argv_for("no-such-program-wf --flag")));
  CHECK(exit_code(reap(reaper, pid).status) == 127);
  CHECK(read_text(dir.file("err.log")) == "wf: no-such-program-wf: command not found\n");

  pid = spawn(spec_in(dir, {dir.file("missing"), "x"}));
  CHECK(exit_code(reap(reaper, pid).status) == 127);
  CHECK(read_text(dir.file("err.log")) == "wf: " + dir.file("missing") + ": No such file or directory\n");
}

TEST_CASE("a file that cannot be executed exits 126, a script without #! runs under sh") {
  TempDir dir;
  Reaper reaper;
  wf::run::testing::write_text(dir.file("plain"), "echo ran $1\n");
  pid_t pid = spawn(spec_in(dir, {dir.file("plain")}));
  CHECK(exit_code(reap(reaper, pid).status) == 126);
  CHECK(read_text(dir.file("err.log")) == "wf: " + dir.file("plain") + ": Permission denied\n");

  ::chmod(dir.file("plain").c_str(), 0755);
  pid = spawn(spec_in(dir, {dir.file("plain"), "arg"}));
  CHECK(exit_code(reap(reaper, pid).status) == 0);
  CHECK(read_text(dir.file("out.log")) == "ran arg\n");
}

TEST_CASE("setup failures are errors with their exit codes") {
  TempDir dir;
  SpawnSpec spec = spec_in(dir, {"true"});
  spec.stdout_path = dir.file("no/such/dir/out.log");
  try {
    spawn(spec);
    FAIL("spawn succeeded");
  } catch (const wf::Error& e) {
    CHECK(e.exit() == wf::util::Exit::cant_create);
    CHECK_THAT(e.what(), Catch::Contains("no/such/dir/out.log"));
  }
  spec = spec_in(dir, {"true"});
  spec.cwd = dir.file("absent");
  try {
    spawn(spec);
    FAIL("spawn succeeded");
  } catch (const wf::Error& e) {
    CHECK(e.exit() == wf::util::Exit::no_input);
    CHECK_THAT(e.what(), Catch::Contains("absent"));
  }
  CHECK_THROWS_AS(spawn(SpawnSpec{}), wf::Error);
  CHECK_THROWS_AS(kill_group(1, SIGTERM), wf::Error);
  CHECK_THROWS_AS(kill_group(0, SIGTERM), wf::Error);
}

TEST_CASE("children start clean: stdin empty, no inherited descriptors, signals at default") {
  TempDir dir;
  Reaper reaper;  // blocks SIGCHLD, SIGINT, SIGTERM, SIGHUP here
  struct sigaction ignore {}, old {};
  ignore.sa_handler = SIG_IGN;
  ::sigaction(SIGQUIT, &ignore, &old);
  int leaked = ::open("/dev/null", O_RDONLY);  // no O_CLOEXEC
  REQUIRE(::dup2(leaked, 100) == 100);

  pid_t pid = spawn(spec_in(dir, {"grep", "-E", "^(SigBlk|SigIgn):", "/proc/self/status"}));
  CHECK(exit_code(reap(reaper, pid).status) == 0);
  // Signals 1-31 at default. glibc's posix_spawn leaves its own internal real-time signals (32, 33)
  // ignored in the child; glibc-linked programs set those up again themselves.
  std::string status = read_text(dir.file("out.log"));
  REQUIRE(status.size() == 50);
  CHECK(status.substr(0, 25) == "SigBlk:\t0000000000000000\n");
  CHECK((std::stoull(status.substr(33, 16), nullptr, 16) & 0x7fffffffu) == 0);

  pid = spawn(spec_in(dir, argv_for("cat; [ -e /proc/$$/fd/100 ] && echo open || echo closed")));
  CHECK(exit_code(reap(reaper, pid).status) == 0);
  CHECK(read_text(dir.file("out.log")) == "closed\n");

  ::close(100);
  ::close(leaked);
  ::sigaction(SIGQUIT, &old, nullptr);
}

TEST_CASE("each task leads its own process group, which kill_group signals") {
  TempDir dir;
  Reaper reaper;
  pid_t pid = spawn(spec_in(dir, {"sleep", "30"}));
  CHECK(::getpgid(pid) == pid);
  CHECK(kill_group(pid, SIGKILL));
  Exit exit = reap(reaper, pid);
  CHECK(killed_by_sigkill(exit.status));
  CHECK(term_signal(exit.status) == SIGKILL);
  CHECK(shell_status(exit.status) == 128 + SIGKILL);
  CHECK_FALSE(kill_group(pid, SIGKILL));  // reaped: the group is gone

  SpawnSpec same_group = spec_in(dir, {"true"});
  same_group.new_process_group = false;
  pid = spawn(same_group);
  CHECK(::getpgid(pid) == ::getpgrp());
  reap(reaper, pid);
}

TEST_CASE("wait_any times out promptly, and at once without children") {
  TempDir dir;
  Reaper reaper;
  auto start = std::chrono::steady_clock::now();
  CHECK_FALSE(reaper.wait_any(20.0).has_value());  // no child at all
  CHECK(seconds_since(start) < 10.0);

  pid_t pid = spawn(spec_in(dir, {"sleep", "30"}));
  start = std::chrono::steady_clock::now();
  CHECK_FALSE(reaper.wait_any(0.05).has_value());
  CHECK(seconds_since(start) < 10.0);
  CHECK_FALSE(reaper.wait_any(0).has_value());
  CHECK(reaper.take_stop_signal() == 0);
  kill_group(pid, SIGKILL);
  CHECK(reap(reaper, pid).pid == pid);
}

TEST_CASE("a stop signal ends the wait before any reaping") {
  TempDir dir;
  Reaper reaper;
  pid_t pid = spawn(spec_in(dir, {"sleep", "30"}));
  ::kill(::getpid(), SIGTERM);  // blocked: stays pending for the reaper
  auto start = std::chrono::steady_clock::now();
  CHECK_FALSE(reaper.wait_any(20.0).has_value());
  CHECK(seconds_since(start) < 10.0);
  CHECK(reaper.take_stop_signal() == SIGTERM);
  CHECK(reaper.take_stop_signal() == 0);
  kill_group(pid, SIGKILL);
  CHECK(killed_by_sigkill(reap(reaper, pid).status));
}

TEST_CASE("rusage reports CPU time and the peak memory of the tree") {
  TempDir dir;
  Reaper reaper;
  pid_t pid = spawn(spec_in(dir, argv_for("i=0; while [ $i -lt 100000 ]; do i=$((i+1)); done")));
  Exit exit = reap(reaper, pid);
  CHECK(exit_code(exit.status) == 0);
  CHECK(exit.user_s + exit.sys_s > 0.01);

  // The memory is held by a grandchild: rusage covers descendants the child reaped.
  pid = spawn(spec_in(dir, argv_for("python3 -c 'x = b\"x\" * (200 << 20)' || "
                                    "x=$(head -c 200000000 /dev/zero | tr '\\0' a)")));
  exit = reap(reaper, pid);
  CHECK(exit_code(exit.status) == 0);
  CHECK(exit.max_rss_bytes >= 150u << 20);
}

TEST_CASE("wait statuses read as a person and a shell would") {
  CHECK(describe_status(0) == "exit 0");
  CHECK(describe_status(3 << 8) == "exit 3");
  CHECK(describe_status(SIGKILL) == "signal SIGKILL");
  CHECK(describe_status(SIGSEGV | 0x80) == "signal SIGSEGV (core dumped)");
  CHECK(core_dumped(SIGSEGV | 0x80));
  CHECK_FALSE(core_dumped(SIGSEGV));
  CHECK(exit_code(SIGTERM) == std::nullopt);
  CHECK(term_signal(3 << 8) == std::nullopt);
  CHECK(shell_status(SIGTERM) == 143);
  CHECK_FALSE(killed_by_sigkill(SIGTERM));
}
