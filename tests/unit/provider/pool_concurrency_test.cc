// Many processes sharing one local pool, as cron-started runs on one host do.
#include <catch2/catch.hpp>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <thread>

#include <fcntl.h>
#include <sys/file.h>
#include <sys/wait.h>
#include <unistd.h>

#include "provider/local_provider.h"
#include "support.h"

using namespace wf::provider;
using wf::provider::testing::RawDb;
using wf::provider::testing::TempDir;

namespace {

constexpr std::uint64_t GiB = 1ull << 30;

// What the processes hold right now and the most they ever held at once, in a file under flock.
// Each process adds its cpus after acquiring and subtracts them before releasing, so the witnessed
// peak never exceeds the true one: a witnessed peak above the capacity is a real oversubscription.
void witness(const std::string& path, double delta) {
  int fd = open(path.c_str(), O_RDWR | O_CREAT, 0600);
  flock(fd, LOCK_EX);
  char buf[64] = {};
  ssize_t n = pread(fd, buf, sizeof buf - 1, 0);
  double current = 0, peak = 0;
  if (n > 0) std::sscanf(buf, "%lf %lf", &current, &peak);
  current += delta;
  peak = std::max(peak, current);
  std::string text = fmt::format("{} {}\n", current, peak);
  ftruncate(fd, 0);
  pwrite(fd, text.data(), text.size(), 0);
  flock(fd, LOCK_UN);
  close(fd);
}

double witnessed_peak(const std::string& path) {
  double current = 0, peak = 0;
  std::ifstream(path) >> current >> peak;
  CHECK(current == Approx(0));
  return peak;
}

struct Plan {
  double host_cpus = 4;
  int leases = 3;         // per process
  double hold_s = 0.02;
  bool record_latency = false;
};

// A child: its own ledger connection and pool; `plan.leases` leases, each held for hold_s.
[[noreturn]] void leaser(const std::string& dir, int child, const Plan& plan) {
  int status = 0;
  try {
    Ledger ledger = Ledger::open(dir + "/ledger.db");
    FakeHost host(plan.host_cpus, 64 * GiB, 100 * GiB);
    PoolConfig config;
    config.scratch_root = dir + "/scratch";
    LocalPool pool(ledger, config, host);
    LocalProvider local(pool);
    std::ofstream latencies(fmt::format("{}/latency-{}", dir, child));
    for (int i = 0; i < plan.leases; ++i) {
      LeaseRequest r;
      r.run_id = fmt::format("run-{}", child);
      r.cpus = plan.record_latency ? 1 : 1 + child % 3;
      r.mem_bytes = GiB;
      r.priority = plan.record_latency ? 0 : child % 2;
      r.ttl_s = 60;
      r.wait_s = 120;
      auto start = std::chrono::steady_clock::now();
      Lease lease = acquire_lease(local, r);
      latencies << std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count() << "\n";
      witness(dir + "/witness", lease.cpus);
      std::this_thread::sleep_for(std::chrono::duration<double>(plan.hold_s));
      witness(dir + "/witness", -lease.cpus);
      release_lease(local, lease.id);
    }
  } catch (const wf::Error& e) {
    std::fprintf(stderr, "child %d: %s\n", child, e.what());
    status = wf::util::code(e.exit());
  } catch (...) {
    status = 70;
  }
  _exit(status);
}

int run_children(const std::string& dir, int children, const Plan& plan) {
  std::vector<pid_t> pids;
  for (int c = 0; c < children; ++c) {
    pid_t pid = fork();
    REQUIRE(pid >= 0);
    if (pid == 0) leaser(dir, c, plan);
    pids.push_back(pid);
  }
  int failures = 0;
  for (pid_t pid : pids) {
    int status = 0;
    REQUIRE(waitpid(pid, &status, 0) == pid);
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) ++failures;
  }
  return failures;
}

std::vector<double> latencies(const std::string& dir, int children) {
  std::vector<double> all;
  for (int c = 0; c < children; ++c) {
    std::ifstream in(fmt::format("{}/latency-{}", dir, c));
    for (double v; in >> v;) all.push_back(v);
  }
  std::sort(all.begin(), all.end());
  return all;
}

double quantile(const std::vector<double>& sorted, double q) {
  if (sorted.empty()) return 0;
  return sorted[std::min(sorted.size() - 1, static_cast<size_t>(q * static_cast<double>(sorted.size())))];
}

}  // namespace

TEST_CASE("20 processes leasing from one pool at once never hold more than its capacity") {
  TempDir dir;
  std::string path = dir.path().string();
  { Ledger::open(path + "/ledger.db"); }  // the children race on the pool, not on creating the file
  Plan plan;
  REQUIRE(run_children(path, 20, plan) == 0);
  double peak = witnessed_peak(path + "/witness");
  CHECK(peak <= 4);
  CHECK(peak >= 2);  // they did overlap: the test can see an oversubscription when there is one
  Ledger ledger = Ledger::open(path + "/ledger.db");
  CHECK(ledger.all().size() == 60);
  CHECK(ledger.live().empty());
  CHECK(ledger.check().empty());
  RawDb raw(path + "/ledger.db");
  CHECK(raw.integer("SELECT count(*) FROM leases") == 0);
  CHECK(raw.integer("SELECT count(*) FROM lease_waiters") == 0);
}

// Figures, not assertions: `test_provider "[.bench]"` prints lease acquire latency with 20
// processes at once, uncontended (20 cpus, 1 each) and contended (4 cpus, 20 processes).
TEST_CASE("lease acquire latency under 20 concurrent processes", "[.bench]") {
  for (double cpus : {20.0, 4.0}) {
    TempDir dir;
    std::string path = dir.path().string();
    { Ledger::open(path + "/ledger.db"); }
    Plan plan;
    plan.host_cpus = cpus;
    plan.leases = 25;
    plan.hold_s = 0.005;
    plan.record_latency = true;
    auto start = std::chrono::steady_clock::now();
    REQUIRE(run_children(path, 20, plan) == 0);
    double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    auto l = latencies(path, 20);
    std::printf("pool of %g cpus, 20 processes x 25 leases of 1 cpu held 5 ms: acquire p50 %.1f ms, p95 %.1f ms, "
                "p99 %.1f ms, max %.1f ms; %zu leases in %.2f s (%.0f/s); witnessed peak %g\n",
                cpus, quantile(l, 0.5) * 1e3, quantile(l, 0.95) * 1e3, quantile(l, 0.99) * 1e3, l.back() * 1e3,
                l.size(), wall, static_cast<double>(l.size()) / wall, witnessed_peak(path + "/witness"));
  }
}
