#pragma once
// Directories for files that may hold secrets (history, ledger, run directories).
#include <filesystem>

namespace wf::util {

// mkdir -p, each directory it creates 0700 (before the umask); directories that exist keep their
// mode (a shared root, say). Throws wf::Error 73 naming the directory that could not be made, or
// the path that exists but is not a directory.
void make_private_dirs(const std::filesystem::path& dir);

}  // namespace wf::util
