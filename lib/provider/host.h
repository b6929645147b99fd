#pragma once
// What this host offers the local pool, behind a small interface so tests can fake it.
#include <cstdint>
#include <string>

namespace wf::provider {

class HostProbe {
 public:
  virtual ~HostProbe() = default;
  // CPUs this process may use: the affinity mask, bounded by its cgroup's CPU quota.
  virtual double cpus() const = 0;
  // Memory: MemTotal, bounded by its cgroup's memory limit (util/machine.h).
  virtual std::uint64_t mem_bytes() const = 0;
  // Space an unprivileged writer may still use on the file system holding `dir` (statvfs f_bavail),
  // or of its nearest existing ancestor. 0 when nothing can be found.
  virtual std::uint64_t free_disk_bytes(const std::string& dir) const = 0;
};

HostProbe& real_host();

class FakeHost final : public HostProbe {
 public:
  FakeHost(double cpus, std::uint64_t mem_bytes, std::uint64_t disk_bytes)
      : cpus_(cpus), mem_bytes_(mem_bytes), disk_bytes_(disk_bytes) {}
  double cpus() const override { return cpus_; }
  std::uint64_t mem_bytes() const override { return mem_bytes_; }
  std::uint64_t free_disk_bytes(const std::string&) const override { return disk_bytes_; }
  void set_free_disk_bytes(std::uint64_t bytes) { disk_bytes_ = bytes; }

 private:
  double cpus_;
  std::uint64_t mem_bytes_;
  std::uint64_t disk_bytes_;
};

}  // namespace wf::provider
