#pragma once
// A private temporary directory for one test, removed with everything in it at scope exit. The
// provider and reap tests use it too (tests/unit/provider/support.h).
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <optional>
#include <string>
#include <string_view>

#include <fmt/format.h>

#include "history/store.h"

namespace wf::history::testing {

// QueryOptions field by field (designated initializers that leave fields out draw
// -Wmissing-field-initializers from g++ 12).
inline wf::history::QueryOptions query(bool only_succeeded, std::optional<size_t> limit = {},
                                       std::optional<double> since = {}) {
  wf::history::QueryOptions q;
  q.only_succeeded = only_succeeded;
  q.limit = limit;
  q.since = since;
  return q;
}

class TempDir {
 public:
  // `prefix` names the directory, so that one a crashed test left behind tells whose it was.
  explicit TempDir(std::string_view prefix = "wf-history-test") {
    std::string pattern = (std::filesystem::temp_directory_path() / fmt::format("{}-XXXXXX", prefix)).string();
    if (!mkdtemp(pattern.data())) throw std::runtime_error("mkdtemp failed");
    path_ = pattern;
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  std::string file(const std::string& name) const { return (path_ / name).string(); }
  std::string write(const std::string& name, const std::string& text) const {
    std::ofstream(file(name), std::ios::binary) << text;
    return file(name);
  }
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

}  // namespace wf::history::testing
