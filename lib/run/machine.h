#pragma once
// What this machine offers, for a run that was given no capacity.
#include <cstdint>
#include <string>

namespace wf::run {

// CPUs this process may run on (sched_getaffinity), at least 1.
double machine_cpus();
// MemAvailable from /proc/meminfo (what can be used without swapping), else MemTotal.
uint64_t machine_available_mem_bytes();
uint64_t machine_total_mem_bytes();
std::string host_name();

}  // namespace wf::run
