#pragma once
// Per-lease scratch directories of the local pool: <root>/<resource id>, mode 0700.
#include <string>
#include <string_view>
#include <vector>

namespace wf::provider {

// Creates <root>/<id> (and root, 0700, when missing); an existing one is kept. Returns its
// absolute path. Exit 73 when it cannot be created.
std::string make_scratch_dir(const std::string& root, std::string_view id);

// Removes a scratch directory and all it holds (symbolic links inside are removed, never followed).
// Refuses (exit 70, a bug) any path whose last component is not a resource id, so that no
// mistake elsewhere can turn this into `rm -rf` of something else. False when it did not exist.
// Exit 74 when it cannot be removed.
bool remove_scratch_dir(const std::string& path);

// The resource-id-named directories directly under `root`, sorted; none when root is missing.
std::vector<std::string> scratch_dirs(const std::string& root);

}  // namespace wf::provider
