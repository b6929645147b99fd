#include "provider/scratch.h"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>

#include <sys/stat.h>

#include "provider/resource.h"
#include "util/error.h"

namespace wf::provider {
namespace {

namespace fs = std::filesystem;

void make_dir(const fs::path& dir) {
  if (mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST)
    fail(util::Exit::cant_create, "{}: cannot create the scratch directory: {}", dir.string(), std::strerror(errno));
}

}  // namespace

std::string make_scratch_dir(const std::string& root, std::string_view id) {
  fs::path base = fs::absolute(root).lexically_normal();
  std::error_code ec;
  if (!fs::exists(base, ec)) {
    fs::create_directories(base.parent_path(), ec);
    make_dir(base);
  }
  fs::path dir = base / std::string(id);
  make_dir(dir);
  return dir.string();
}

bool remove_scratch_dir(const std::string& path) {
  fs::path dir(path);
  if (!is_resource_id(dir.filename().string()))
    fail(util::Exit::software, "refusing to remove '{}': not a scratch directory (<root>/res-<hex>)", path);
  std::error_code ec;
  if (!fs::exists(fs::symlink_status(dir, ec))) return false;
  fs::remove_all(dir, ec);
  if (ec) fail(util::Exit::io, "{}: cannot remove the scratch directory: {}", path, ec.message());
  return true;
}

std::vector<std::string> scratch_dirs(const std::string& root) {
  std::vector<std::string> dirs;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(root, ec)) {
    std::error_code type_ec;
    if (entry.is_directory(type_ec) && !entry.is_symlink(type_ec) && is_resource_id(entry.path().filename().string()))
      dirs.push_back(fs::absolute(entry.path()).lexically_normal().string());
  }
  std::sort(dirs.begin(), dirs.end());
  return dirs;
}

}  // namespace wf::provider
