#pragma once
// The limits of the control group this process runs in: a container's CPU quota and memory limit,
// which the affinity mask and /proc/meminfo do not show. Both hierarchies are read: cgroup v2
// (cpu.max, memory.max, memory.current) and v1 (cpu.cfs_quota_us / cpu.cfs_period_us,
// memory.limit_in_bytes, memory.usage_in_bytes). A limit set on an ancestor binds too, so every
// directory from the process's cgroup up to its hierarchy's mount point counts, the tightest wins.
//
// The cgroup's directory is found the way the kernel tells it: /proc/self/cgroup names the path
// within each hierarchy, /proc/self/mountinfo where (and from which root) each hierarchy is
// mounted — a container with its own cgroup namespace sees "/", one without sees the host's path
// under a mount whose root is that same path. Of several mounts the one with the longest root
// holding the path is read; a cgroup no mount shows has no limit that can be read.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace wf::util {

struct CgroupLimits {
  std::optional<double> cpus;                   // quota / period, the tightest along the path
  std::optional<uint64_t> mem_bytes;            // the tightest memory limit along the path
  std::optional<uint64_t> mem_available_bytes;  // min over limited levels of limit - (usage - file cache)
};

// The limits of this process's cgroups, read under `root` ("/" on a real system; tests pass a
// directory holding proc/self/cgroup, proc/self/mountinfo and the cgroup files). Unreadable or
// absent files leave a limit unset: no cgroup, no limit.
CgroupLimits cgroup_limits(const std::string& root = "/");

// "max 100000" (none) or "<quota> <period>" in microseconds: CPUs.
std::optional<double> parse_cpu_max(std::string_view line);
// A memory limit: "max" (v2) or a byte count; v1's "no limit" is a page-rounded 2^63 - 1, read as
// none (anything from 2^62 up).
std::optional<uint64_t> parse_mem_limit(std::string_view line);

}  // namespace wf::util
