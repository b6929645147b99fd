#include "util/dirs.h"

#include <sys/stat.h>

#include <cerrno>
#include <cstring>

#include "util/error.h"

namespace wf::util {

namespace {

void make_missing(const std::filesystem::path& dir) {
  std::error_code ec;
  if (dir.empty()) return;
  if (std::filesystem::exists(dir, ec)) {
    if (!std::filesystem::is_directory(dir, ec))
      fail(Exit::cant_create, "{}: cannot create directory: it exists and is not one", dir.string());
    return;
  }
  make_missing(dir.parent_path());
  if (::mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST)
    fail(Exit::cant_create, "{}: cannot create directory: {}", dir.string(), std::strerror(errno));
}

}  // namespace

void make_private_dirs(const std::filesystem::path& dir) { make_missing(dir.lexically_normal()); }

}  // namespace wf::util
