// bench_run_spawn [TASKS [ROUNDS]] — what the local executor's low layer costs per task.
//   (a) spawn + reap TASKS no-op tasks (`true`), 2 at a time, the way wf-run does: exec'd directly
//       (split_simple) vs through /bin/sh -c, with per-task log files and without; and ninja -j2 on
//       a build.ninja of TASKS independent `true` edges, when ninja is installed.
//   (b) one /proc sampling pass with ~50 live task processes, and what that costs as a share of
//       one core at a 1 s and a 0.2 s sampling interval.
// Figures only, never assertions; see run_spawn.md for what they mean.
#include <algorithm>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <fcntl.h>
#include <sys/resource.h>
#include <unistd.h>

#include <fmt/format.h>

#include "run/command.h"
#include "run/environment.h"
#include "run/process.h"
#include "run/procfs.h"
#include "run/reaper.h"
#include "run/wait_status.h"

namespace fs = std::filesystem;
using namespace wf::run;

namespace {

using Clock = std::chrono::steady_clock;

double seconds(Clock::duration d) { return std::chrono::duration<double>(d).count(); }

double self_cpu_s() {
  rusage ru{};
  ::getrusage(RUSAGE_SELF, &ru);
  return static_cast<double>(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
         static_cast<double>(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) * 1e-6;
}

struct Batch {
  double wall_s = 0;
  double parent_cpu_s = 0;   // wf's own CPU: spawning, reaping, opening logs
  double children_cpu_s = 0; // user+sys of the tasks, from rusage
  int failures = 0;
};

// Runs `tasks` copies of argv, `jobs` at a time, as the executor would: spawn while below the
// limit, block in wait_any for the next exit.
Batch run_batch(Reaper& reaper, const std::vector<std::string>& argv, int tasks, int jobs,
                const fs::path& log_dir, int log_files) {
  SpawnSpec spec;
  spec.argv = argv;
  spec.env = current_environment();
  Batch b;
  double cpu0 = self_cpu_s();
  auto start = Clock::now();
  int started = 0, running = 0;
  while (started < tasks || running > 0) {
    while (running < jobs && started < tasks) {
      if (log_files > 0) spec.stdout_path = (log_dir / fmt::format("t{}.out", started)).string();
      if (log_files > 1) spec.stderr_path = (log_dir / fmt::format("t{}.err", started)).string();
      if (log_files == 1) spec.stderr_path = spec.stdout_path;
      spawn(spec);
      ++started, ++running;
    }
    if (auto exit = reaper.wait_any(10.0)) {
      --running;
      b.children_cpu_s += exit->user_s + exit->sys_s;
      if (shell_status(exit->status) != 0) ++b.failures;
    }
  }
  b.wall_s = seconds(Clock::now() - start);
  b.parent_cpu_s = self_cpu_s() - cpu0;
  return b;
}

void print_row(const std::string& name, std::vector<Batch> rounds, int tasks) {
  std::sort(rounds.begin(), rounds.end(), [](const Batch& a, const Batch& b) { return a.wall_s < b.wall_s; });
  const Batch& median = rounds[rounds.size() / 2];
  int failures = 0;
  for (const Batch& b : rounds) failures += b.failures;
  fmt::print("  {:<36} {:7.0f} {:7.0f}   {:7.1f} {:8.1f}{}\n", name, rounds.front().wall_s / tasks * 1e6,
             median.wall_s / tasks * 1e6, median.parent_cpu_s / tasks * 1e6, median.children_cpu_s / tasks * 1e6,
             failures > 0 ? fmt::format("  ({} tasks FAILED)", failures) : "");
}

// ninja -j2 on `tasks` independent edges running `true`, in a fresh directory: the wall seconds
// and ninja's own CPU plus its children's (per the rusage of the ninja process).
std::optional<Batch> time_ninja(Reaper& reaper, const std::string& ninja, int tasks, const fs::path& dir) {
  fs::create_directories(dir);
  {
    std::ofstream out(dir / "build.ninja");
    out << "rule t\n  command = true\n";
    for (int i = 0; i < tasks; ++i) out << "build o" << i << ": t\n";
  }
  SpawnSpec spec;
  spec.argv = {ninja, "-j2", "-f", "build.ninja"};
  spec.cwd = dir.string();
  spec.env = current_environment();
  spec.stdout_path = (dir / "ninja.log").string();
  spec.stderr_path = spec.stdout_path;
  auto start = Clock::now();
  spawn(spec);
  std::optional<Exit> exit;
  while (!(exit = reaper.wait_any(60.0))) {
  }
  Batch b;
  b.wall_s = seconds(Clock::now() - start);
  b.children_cpu_s = exit->user_s + exit->sys_s;  // ninja and its edges together
  b.failures = shell_status(exit->status) == 0 ? 0 : tasks;
  return b;
}

// CPU microseconds to create one new empty file in `dir` (what a log file costs before any spawn).
double file_create_us(const fs::path& dir) {
  fs::create_directories(dir);
  const int files = 2000;
  double cpu0 = self_cpu_s();
  for (int i = 0; i < files; ++i) {
    int fd = ::open((dir / fmt::format("f{}", i)).c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd >= 0) ::close(fd);
  }
  double us = (self_cpu_s() - cpu0) / files * 1e6;
  fs::remove_all(dir);
  return us;
}

struct Variant {
  std::string name;
  std::vector<std::string> argv;
  int log_files;  // 0: /dev/null, 1: one file for both streams, 2: one each
};

// Runs every variant `rounds` times, interleaved, so that load from other processes on the
// machine spreads over all of them; prints the best and the median round.
void bench_spawn(Reaper& reaper, int tasks, int rounds, const fs::path& dir) {
  Environment env = current_environment();
  std::string true_path = resolve_program("true", search_path(env)).value_or("/bin/true");
  std::vector<Variant> variants = {
      {"direct exec, logs /dev/null", argv_for("true"), 0},
      {"direct exec, 1 log file", argv_for("true"), 1},
      {"direct exec, 2 log files", argv_for("true"), 2},
      {"sh -c true (builtin), 2 log files", {"/bin/sh", "-c", "true"}, 2},
      {"sh -c " + true_path + ", 2 log files", {"/bin/sh", "-c", true_path}, 2},
  };
  std::optional<std::string> ninja = resolve_program("ninja", search_path(env));
  std::vector<std::vector<Batch>> results(variants.size() + 1);
  run_batch(reaper, variants[0].argv, 200, 2, {}, 0);  // warm-up: page cache, dynamic loader
  for (int r = 0; r < rounds; ++r) {
    for (size_t v = 0; v < variants.size(); ++v) {
      fs::path logs = dir / fmt::format("r{}v{}", r, v);
      fs::create_directories(logs);
      results[v].push_back(run_batch(reaper, variants[v].argv, tasks, 2, logs, variants[v].log_files));
      fs::remove_all(logs);
    }
    if (ninja) {
      fs::path nd = dir / fmt::format("r{}ninja", r);
      results.back().push_back(*time_ninja(reaper, *ninja, tasks, nd));
      fs::remove_all(nd);
    }
  }
  fmt::print("(a) {} no-op tasks, 2 at a time, {} rounds, logs in {}; microseconds per task\n", tasks, rounds,
             dir.string());
  fmt::print("  {:<36} {:>7} {:>7}   {:>7} {:>8}\n", "", "best", "median", "wf CPU", "task CPU");
  for (size_t v = 0; v < variants.size(); ++v) print_row(variants[v].name, results[v], tasks);
  if (ninja) print_row("ninja -j2 (sh -c true per edge)", results.back(), tasks);
  else fmt::print("  ninja: not installed (apt-get install ninja-build)\n");
  fmt::print("  (wall = whole batch / tasks; wf CPU = this process; task CPU = rusage of the tasks,\n"
             "   for ninja the ninja process with its edges)\n");
  fmt::print("  creating one new log file there: {:.1f} us CPU\n", file_create_us(dir / "create"));
}

void bench_sampling(Reaper& reaper) {
  // 10 tasks of 5 processes each: sh and four sleeps.
  SpawnSpec spec;
  spec.argv = argv_for("sleep 120 & sleep 120 & sleep 120 & sleep 120 & wait");
  spec.env = current_environment();
  std::vector<pid_t> roots;
  for (int i = 0; i < 10; ++i) roots.push_back(spawn(spec));
  ProcSampler sampler;
  std::vector<TaskUsage> usage;
  uint32_t live = 0;
  auto deadline = Clock::now() + std::chrono::seconds(30);
  while (live < 50 && Clock::now() < deadline) {
    sampler.sample(roots, usage);
    live = 0;
    for (const auto& u : usage) live += u.processes;
  }
  size_t on_machine = 0;
  for (const auto& entry : fs::directory_iterator("/proc"))
    on_machine += std::isdigit(static_cast<unsigned char>(entry.path().filename().string()[0])) != 0;

  const int passes = 500;
  double cpu0 = self_cpu_s();
  auto start = Clock::now();
  for (int i = 0; i < passes; ++i) sampler.sample(roots, usage);
  double wall_us = seconds(Clock::now() - start) / passes * 1e6;
  double cpu_us = (self_cpu_s() - cpu0) / passes * 1e6;
  fmt::print("(b) /proc sampling: {} task processes in {} tasks, {} processes on the machine\n", live,
             roots.size(), on_machine);
  fmt::print("  one pass: {:.1f} us wall, {:.1f} us CPU ({:.2f} us CPU per process on the machine)\n",
             wall_us, cpu_us, cpu_us / static_cast<double>(on_machine));
  fmt::print("  overhead: {:.3f}% of one core at a 1 s interval, {:.3f}% at 0.2 s\n", cpu_us / 1e6 * 100,
             cpu_us / 0.2e6 * 100);

  for (pid_t root : roots) kill_group(root, SIGKILL);
  for (size_t reaped = 0; reaped < roots.size();)
    if (auto exit = reaper.wait_any(10.0); exit && std::count(roots.begin(), roots.end(), exit->pid)) ++reaped;
}

}  // namespace

int main(int argc, char** argv) {
  int tasks = argc > 1 ? std::atoi(argv[1]) : 2000;
  int rounds = argc > 2 ? std::atoi(argv[2]) : 3;
  if (tasks <= 0 || rounds <= 0) {
    std::fprintf(stderr, "usage: bench_run_spawn [TASKS [ROUNDS]]\n");
    return 64;
  }
  Reaper reaper;
  become_subreaper();  // the sampling benchmark's sleeps come back to us when their sh is killed
  // Logs go under TMPDIR (or /tmp): point it at the file system wf-run would write its logs to.
  fs::path dir = fs::temp_directory_path() / fmt::format("wf-bench-run-spawn-{}", ::getpid());
  fs::create_directories(dir);
  int code = 0;
  try {
    bench_spawn(reaper, tasks, rounds, dir);
    bench_sampling(reaper);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "bench_run_spawn: error: %s\n", e.what());
    code = 70;
  }
  fs::remove_all(dir);
  while (reaper.wait_any(0.5)) {  // whatever is left of the sampling benchmark's sleeps
  }
  return code;
}
