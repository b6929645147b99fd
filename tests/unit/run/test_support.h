#pragma once
// Helpers shared by the run module's tests: a scratch directory, reading a log, reaping one pid.
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "run/reaper.h"

namespace wf::run::testing {

// A fresh directory under TMPDIR (or /tmp), removed with everything in it at scope exit.
class TempDir {
 public:
  TempDir() {
    const char* tmp = std::getenv("TMPDIR");
    std::string pattern = std::string(tmp != nullptr && *tmp != '\0' ? tmp : "/tmp") + "/wf-run-test-XXXXXX";
    if (::mkdtemp(pattern.data()) == nullptr) FAIL("mkdtemp failed for " << pattern);
    path_ = std::filesystem::canonical(pattern);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  const std::filesystem::path& path() const { return path_; }
  std::string file(const std::string& name) const { return (path_ / name).string(); }

 private:
  std::filesystem::path path_;
};

inline std::string read_text(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

inline void write_text(const std::string& path, const std::string& text) {
  std::ofstream(path, std::ios::binary) << text;
}

// Reaps until every pid of `pids` has exited and returns their exits in that order (other
// children reaped meanwhile are dropped); fails after 30 s.
inline std::vector<Exit> reap_all(Reaper& reaper, const std::vector<pid_t>& pids) {
  std::vector<Exit> exits(pids.size());
  size_t left = pids.size();
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (left > 0 && std::chrono::steady_clock::now() < deadline) {
    auto exit = reaper.wait_any(1.0);
    if (!exit) continue;
    for (size_t i = 0; i < pids.size(); ++i)
      if (pids[i] == exit->pid) exits[i] = *exit, --left;
  }
  if (left > 0) FAIL(left << " of " << pids.size() << " children did not exit within 30 s");
  return exits;
}

inline Exit reap(Reaper& reaper, pid_t pid) { return reap_all(reaper, {pid}).front(); }

}  // namespace wf::run::testing
