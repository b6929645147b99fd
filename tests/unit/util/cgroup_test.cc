// A container's limits: cgroup v2 and v1 trees laid out under a scratch root as the kernel shows
// them (proc/self/cgroup, proc/self/mountinfo, the controllers' files), with and without a cgroup
// namespace, limits set on an ancestor, and no cgroup at all.
#include <catch2/catch.hpp>

#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include "util/cgroup.h"
#include "util/machine.h"

using namespace wf;
namespace fs = std::filesystem;

namespace {

constexpr uint64_t kGiB = uint64_t{1} << 30, kMiB = uint64_t{1} << 20;

struct Root {
  fs::path dir;
  Root() {
    std::string tmpl = (fs::temp_directory_path() / "wf-cgroup-test-XXXXXX").string();
    dir = ::mkdtemp(tmpl.data());
  }
  ~Root() {
    std::error_code ec;
    fs::remove_all(dir, ec);
  }
  void write(const std::string& path, const std::string& text) const {
    fs::path p = dir / path;
    fs::create_directories(p.parent_path());
    std::ofstream(p) << text;
  }
  util::CgroupLimits limits() const { return util::cgroup_limits(dir.string()); }
};

constexpr const char* kV2Mount = "30 24 0:27 / /sys/fs/cgroup rw,nosuid,nodev,noexec,relatime shared:4 - cgroup2 cgroup2 rw,nsdelegate\n";

}  // namespace

TEST_CASE("cgroup: cpu.max and memory.max parse, no limit reads as none") {
  CHECK(util::parse_cpu_max("150000 100000") == Approx(1.5));
  CHECK(util::parse_cpu_max("50000 100000\n") == Approx(0.5));
  CHECK_FALSE(util::parse_cpu_max("max 100000"));
  CHECK_FALSE(util::parse_cpu_max("-1 100000"));  // v1's "no quota"
  CHECK_FALSE(util::parse_cpu_max("100000 0"));
  CHECK_FALSE(util::parse_cpu_max("100000"));
  CHECK_FALSE(util::parse_cpu_max("lots 100000"));
  CHECK(util::parse_mem_limit("2147483648") == 2 * kGiB);
  CHECK_FALSE(util::parse_mem_limit("max"));
  CHECK_FALSE(util::parse_mem_limit("9223372036854771712"));  // v1's page-rounded 2^63 - 1
  CHECK_FALSE(util::parse_mem_limit("12k"));
}

TEST_CASE("cgroup: v2 in its own namespace, the container's limits at the mount point") {
  Root r;
  r.write("proc/self/cgroup", "0::/\n");
  r.write("proc/self/mountinfo", std::string("22 1 8:1 / / rw - ext4 /dev/sda1 rw\n") + kV2Mount);
  r.write("sys/fs/cgroup/cpu.max", "150000 100000\n");
  r.write("sys/fs/cgroup/memory.max", std::to_string(2 * kGiB) + "\n");
  r.write("sys/fs/cgroup/memory.current", std::to_string(kGiB) + "\n");
  r.write("sys/fs/cgroup/memory.stat", "anon 700000000\nfile 300000000\ninactive_file " + std::to_string(256 * kMiB) +
                                           "\nactive_file " + std::to_string(64 * kMiB) + "\n");
  auto l = r.limits();
  REQUIRE(l.cpus);
  CHECK(*l.cpus == Approx(1.5));
  CHECK(l.mem_bytes == 2 * kGiB);
  CHECK(l.mem_available_bytes == 2 * kGiB - (kGiB - 320 * kMiB));  // the file cache counts as free
}

TEST_CASE("cgroup: v2 without a namespace, a limit on an ancestor binds, the tightest wins") {
  Root r;
  r.write("proc/self/cgroup", "0::/batch.slice/job-7.scope\n");
  r.write("proc/self/mountinfo", kV2Mount);
  r.write("sys/fs/cgroup/cpu.max", "max 100000\n");
  r.write("sys/fs/cgroup/batch.slice/cpu.max", "400000 100000\n");
  r.write("sys/fs/cgroup/batch.slice/memory.max", std::to_string(8 * kGiB));
  r.write("sys/fs/cgroup/batch.slice/memory.current", std::to_string(7 * kGiB));
  r.write("sys/fs/cgroup/batch.slice/job-7.scope/cpu.max", "max 100000\n");
  r.write("sys/fs/cgroup/batch.slice/job-7.scope/memory.max", std::to_string(4 * kGiB));
  r.write("sys/fs/cgroup/batch.slice/job-7.scope/memory.current", std::to_string(kGiB));
  auto l = r.limits();
  REQUIRE(l.cpus);
  CHECK(*l.cpus == Approx(4));
  CHECK(l.mem_bytes == 4 * kGiB);
  CHECK(l.mem_available_bytes == kGiB);  // the slice has 1 GiB left, tighter than the job's 3
}

TEST_CASE("cgroup: v1 with the container's cgroup as the mount's root, and an escaped mount point") {
  Root r;
  r.write("proc/self/cgroup", "9:memory:/docker/abc\n3:cpu,cpuacct:/docker/abc\n0::/\n");
  r.write("proc/self/mountinfo",
          "40 30 0:35 /docker/abc /sys/fs/cgroup/cpu,cpuacct rw,nosuid - cgroup cgroup rw,cpu,cpuacct\n"
          "41 30 0:36 /docker/abc /sys/fs/cgroup/my\\040memory rw,nosuid - cgroup cgroup rw,memory\n");
  r.write("sys/fs/cgroup/cpu,cpuacct/cpu.cfs_quota_us", "50000\n");
  r.write("sys/fs/cgroup/cpu,cpuacct/cpu.cfs_period_us", "100000\n");
  r.write("sys/fs/cgroup/my memory/memory.limit_in_bytes", std::to_string(kGiB) + "\n");
  r.write("sys/fs/cgroup/my memory/memory.usage_in_bytes", std::to_string(512 * kMiB) + "\n");
  r.write("sys/fs/cgroup/my memory/memory.stat", "cache 1\ntotal_active_file " + std::to_string(64 * kMiB) +
                                                    "\ntotal_inactive_file " + std::to_string(64 * kMiB) + "\n");
  auto l = r.limits();
  REQUIRE(l.cpus);
  CHECK(*l.cpus == Approx(0.5));
  CHECK(l.mem_bytes == kGiB);
  CHECK(l.mem_available_bytes == kGiB - 384 * kMiB);
}

TEST_CASE("cgroup: v1 without limits, as on a host (quota -1, the huge limit)") {
  Root r;
  r.write("proc/self/cgroup", "4:memory:/process_api/740f\n1:cpu:/\n0::/\n");
  r.write("proc/self/mountinfo",
          "31 25 0:28 / /sys/fs/cgroup/cpu rw - cgroup cgroup rw,cpu\n"
          "34 25 0:31 / /sys/fs/cgroup/memory rw - cgroup cgroup rw,memory\n"
          "40 25 0:37 / /sys/fs/cgroup/unified rw - cgroup2 cgroup2 rw\n");
  r.write("sys/fs/cgroup/cpu/cpu.cfs_quota_us", "-1\n");
  r.write("sys/fs/cgroup/cpu/cpu.cfs_period_us", "100000\n");
  r.write("sys/fs/cgroup/memory/memory.limit_in_bytes", "9223372036854771712\n");
  r.write("sys/fs/cgroup/memory/process_api/740f/memory.limit_in_bytes", "9223372036854771712\n");
  r.write("sys/fs/cgroup/memory/process_api/740f/memory.usage_in_bytes", "166162432\n");
  auto l = r.limits();
  CHECK_FALSE(l.cpus);
  CHECK_FALSE(l.mem_bytes);
  CHECK_FALSE(l.mem_available_bytes);
}

TEST_CASE("cgroup: no cgroup files at all, or a cgroup no mount shows, read as no limit") {
  Root empty;
  auto none = empty.limits();
  CHECK_FALSE(none.cpus);
  CHECK_FALSE(none.mem_bytes);

  Root outside;  // a cgroup outside the namespace: the mount point is another cgroup's, not an ancestor
  outside.write("proc/self/cgroup", "0::/../../elsewhere\n");
  outside.write("proc/self/mountinfo", kV2Mount);
  outside.write("sys/fs/cgroup/cpu.max", "200000 100000\n");
  CHECK_FALSE(outside.limits().cpus);

  Root other;  // the only mount shows another subtree
  other.write("proc/self/cgroup", "0::/docker/abcd\n");
  other.write("proc/self/mountinfo", "30 24 0:27 /docker/abc /sys/fs/cgroup rw - cgroup2 cgroup2 rw\n");
  other.write("sys/fs/cgroup/cpu.max", "200000 100000\n");
  CHECK_FALSE(other.limits().cpus);  // /docker/abc is not an ancestor of /docker/abcd
}

TEST_CASE("cgroup: a path below the mount's root, of several mounts the closest, nothing read above the mount") {
  Root r;
  r.write("proc/self/cgroup", "0::/kubepods/pod1/ctr\n");
  r.write("proc/self/mountinfo",
          "30 24 0:27 / /host/cgroup rw - cgroup2 cgroup2 rw\n"
          "31 24 0:27 /kubepods /sys/fs/cgroup rw - cgroup2 cgroup2 rw\n");
  r.write("host/cgroup/kubepods/pod1/ctr/cpu.max", "900000 100000\n");  // the same files, seen twice:
  r.write("sys/fs/cgroup/pod1/ctr/cpu.max", "300000 100000\n");         // the longer root is read
  r.write("sys/fs/cgroup/pod1/cpu.max", "250000 100000\n");
  r.write("sys/fs/cpu.max", "50000 100000\n");  // above the mount point: not a cgroup file
  auto l = r.limits();
  REQUIRE(l.cpus);
  CHECK(*l.cpus == Approx(2.5));
}

TEST_CASE("machine: the CPUs and memory this process may use are positive and within the host's") {
  double cpus = util::machine_cpus();
  CHECK(cpus >= 1);
  CHECK(cpus <= static_cast<double>(::sysconf(_SC_NPROCESSORS_ONLN)));
  CHECK(util::machine_available_mem_bytes() > 0);
  CHECK(util::machine_available_mem_bytes() <= util::machine_total_mem_bytes());
}
