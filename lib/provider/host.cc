#include "provider/host.h"

#include <filesystem>

#include <sys/statvfs.h>

#include "util/machine.h"

namespace wf::provider {
namespace {

class RealHost final : public HostProbe {
 public:
  double cpus() const override { return util::machine_cpus(); }
  std::uint64_t mem_bytes() const override { return util::machine_total_mem_bytes(); }
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
