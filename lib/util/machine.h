#pragma once
// What this machine offers, for a run that was given no capacity.
#include <cstdint>
#include <string>

namespace wf::util {

// CPUs this process may run on (sched_getaffinity), bounded by its cgroup's CPU quota (a container's
// --cpus; util/cgroup.h), at least 1 (a quota below one CPU throttles the one task that runs).
double machine_cpus();
// MemAvailable from /proc/meminfo (what can be used without swapping), else MemTotal, bounded by
// what its cgroup's memory limit leaves (the limit less the usage, its file cache counted free).
uint64_t machine_available_mem_bytes();
// MemTotal, bounded by its cgroup's memory limit.
uint64_t machine_total_mem_bytes();
std::string host_name();

}  // namespace wf::util
