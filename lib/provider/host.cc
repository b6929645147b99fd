#include "provider/host.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>

#include <sched.h>
#include <sys/statvfs.h>
#include <unistd.h>

namespace wf::provider {
namespace {

std::uint64_t meminfo_total() {
  std::ifstream in("/proc/meminfo");
  std::string key;
  std::uint64_t kib = 0;
  while (in >> key >> kib) {
    if (key == "MemTotal:") return kib * 1024;
    in.ignore(256, '\n');
  }
  return 0;
}

std::optional<std::string> first_line(const char* path) {
  std::ifstream in(path);
  std::string line;
  if (!std::getline(in, line)) return std::nullopt;
  return line;
}

// cgroup v2 cpu.max: "max 100000" (no limit) or "<quota> <period>".
std::optional<double> cgroup_cpus() {
  auto line = first_line("/sys/fs/cgroup/cpu.max");
  if (!line) return std::nullopt;
  std::istringstream fields(*line);
  std::string quota;
  double period = 0;
  if (!(fields >> quota >> period) || quota == "max" || period <= 0) return std::nullopt;
  try {
    return std::stod(quota) / period;
  } catch (const std::exception&) {
    return std::nullopt;
  }
}

std::optional<std::uint64_t> cgroup_mem() {
  auto line = first_line("/sys/fs/cgroup/memory.max");
  if (!line || *line == "max") return std::nullopt;
  try {
    return std::stoull(*line);
  } catch (const std::exception&) {
    return std::nullopt;
  }
}

class RealHost final : public HostProbe {
 public:
  double cpus() const override {
    double n = 1;
    cpu_set_t set;
    CPU_ZERO(&set);
    if (sched_getaffinity(0, sizeof set, &set) == 0) n = std::max(1, CPU_COUNT(&set));
    else if (long online = sysconf(_SC_NPROCESSORS_ONLN); online > 0) n = static_cast<double>(online);
    if (auto quota = cgroup_cpus()) n = std::min(n, *quota);
    return n;
  }
  std::uint64_t mem_bytes() const override {
    std::uint64_t total = meminfo_total();
    if (auto limit = cgroup_mem()) total = std::min(total, *limit);
    return total;
  }
  std::uint64_t free_disk_bytes(const std::string& dir) const override {
    std::filesystem::path p = std::filesystem::absolute(dir);
    while (true) {
      struct statvfs fs {};
      if (statvfs(p.c_str(), &fs) == 0) return static_cast<std::uint64_t>(fs.f_bavail) * fs.f_frsize;
      if (!p.has_parent_path() || p.parent_path() == p) return 0;
      p = p.parent_path();
    }
  }
};

}  // namespace

HostProbe& real_host() {
  static RealHost host;
  return host;
}

}  // namespace wf::provider
