#include "run/machine.h"

#include <algorithm>
#include <fstream>
#include <sstream>

#include <sched.h>
#include <unistd.h>

namespace wf::run {
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
  cpu_set_t set;
  CPU_ZERO(&set);
  if (sched_getaffinity(0, sizeof set, &set) == 0) return std::max(1, CPU_COUNT(&set));
  long n = sysconf(_SC_NPROCESSORS_ONLN);
  return n > 0 ? static_cast<double>(n) : 1.0;
}

uint64_t machine_available_mem_bytes() {
  uint64_t available = meminfo("MemAvailable");
  return available ? available : meminfo("MemTotal");
}

uint64_t machine_total_mem_bytes() { return meminfo("MemTotal"); }

std::string host_name() {
  char buf[256] = {};
  if (gethostname(buf, sizeof buf - 1) != 0) return "localhost";
  return buf;
}

}  // namespace wf::run
