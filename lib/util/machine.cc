#include "util/machine.h"

#include <algorithm>
#include <fstream>
#include <sstream>

#include <sched.h>
#include <unistd.h>

#include "util/cgroup.h"

namespace wf::util {
namespace {

uint64_t meminfo(const char* key) {
  std::ifstream in("/proc/meminfo");
  std::string line;
  std::string want = std::string(key) + ":";
  while (std::getline(in, line)) {
    if (line.rfind(want, 0) != 0) continue;
    std::istringstream fields(line.substr(want.size()));
    uint64_t kib = 0;
    fields >> kib;
    return kib * 1024;
  }
  return 0;
}

}  // namespace

double machine_cpus() {
  double n = 1;
  cpu_set_t set;
  CPU_ZERO(&set);
  if (sched_getaffinity(0, sizeof set, &set) == 0) n = std::max(1, CPU_COUNT(&set));
  else if (long online = sysconf(_SC_NPROCESSORS_ONLN); online > 0) n = static_cast<double>(online);
  // A quota below one CPU still runs one task at a time (throttled): a capacity of half a CPU
  // would clamp every task to it, and tell a task WF_CPUS=0.5.
  if (auto quota = cgroup_limits().cpus) n = std::min(n, std::max(1.0, *quota));
  return n;
}

uint64_t machine_available_mem_bytes() {
  uint64_t available = meminfo("MemAvailable");
  if (!available) available = meminfo("MemTotal");
  if (auto left = cgroup_limits().mem_available_bytes) available = std::min(available, *left);
  return available;
}

uint64_t machine_total_mem_bytes() {
  uint64_t total = meminfo("MemTotal");
  if (auto limit = cgroup_limits().mem_bytes) total = std::min(total, *limit);
  return total;
}

std::string host_name() {
  char buf[256] = {};
  if (gethostname(buf, sizeof buf - 1) != 0) return "localhost";
  return buf;
}

}  // namespace wf::util
