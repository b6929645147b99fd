#include "provider/paths.h"

#include <cerrno>
#include <cstring>
#include <filesystem>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/error.h"
#include "util/dirs.h"

namespace wf::provider {
namespace {

namespace fs = std::filesystem;

std::optional<std::string> non_empty(const EnvLookup& env, const char* name) {
  auto v = env(name);
  if (v && v->empty()) return std::nullopt;
  return v;
}


}  // namespace

std::string default_ledger_path(const EnvLookup& env) {
  std::string history;
  try {
    history = history::default_history_path(env);
  } catch (const Error&) {
    fail(util::Exit::config,
         "ledger: cannot place the ledger: none of --ledger, WF_LEDGER, XDG_DATA_HOME, HOME is set");
  }
  return (fs::path(history).parent_path() / "ledger.db").string();
}

std::string resolve_ledger_path(std::optional<std::string> flag, const EnvLookup& env) {
  if (flag && !flag->empty()) return *flag;
  if (auto v = non_empty(env, "WF_LEDGER")) return *v;
  return default_ledger_path(env);
}

std::string resolve_scratch_root(std::optional<std::string> flag, const std::string& ledger_path, const EnvLookup& env) {
  if (flag && !flag->empty()) return *flag;
  if (auto v = non_empty(env, "WF_SCRATCH_ROOT")) return *v;
  fs::path dir = fs::absolute(fs::path(ledger_path)).parent_path();
  return (dir / "scratch").string();
}

void prepare_private_file(const std::string& path) {
  util::make_private_dirs(fs::path(path).parent_path());
  // O_EXCL: a file that already exists keeps the mode its owner gave it.
  int fd = open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd >= 0) {
    close(fd);
    return;
  }
  if (errno != EEXIST) fail(util::Exit::cant_create, "{}: cannot create the ledger: {}", path, std::strerror(errno));
}

}  // namespace wf::provider
