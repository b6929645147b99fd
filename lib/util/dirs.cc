#include "util/dirs.h"

#include <sys/stat.h>

#include <cerrno>
#include <cstring>

#include "util/error.h"

namespace wf::util {

void make_private_dirs(const std::filesystem::path& dir) {
  std::error_code ec;
  if (dir.empty() || std::filesystem::exists(dir, ec)) return;
  make_private_dirs(dir.parent_path());
  if (::mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST)
    fail(Exit::cant_create, "{}: cannot create directory: {}", dir.string(), std::strerror(errno));
}

}  // namespace wf::util
