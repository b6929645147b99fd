#include "history/paths.h"

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>

#include <fcntl.h>
#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/error.h"
#include "util/dirs.h"

namespace wf::history {
namespace {

std::optional<std::string> non_empty(const EnvLookup& env, const char* name) {
  auto v = env(name);
  if (v && v->empty()) return std::nullopt;
  return v;
}

std::optional<std::string> home_from_passwd() {
  struct passwd pw {};
  struct passwd* result = nullptr;
  std::string buf(16384, '\0');
  if (getpwuid_r(getuid(), &pw, buf.data(), buf.size(), &result) != 0 || !result || !pw.pw_dir)
    return std::nullopt;
  std::string dir = pw.pw_dir;
  if (dir.empty()) return std::nullopt;
  return dir;
}


}  // namespace

EnvLookup process_env() {
  return [](const char* name) -> std::optional<std::string> {
    const char* v = std::getenv(name);
    if (!v) return std::nullopt;
    return std::string(v);
  };
}

std::string default_history_path() { return default_history_path(process_env()); }

std::string default_history_path(const EnvLookup& env) {
  auto xdg = non_empty(env, "XDG_DATA_HOME");
  if (xdg && xdg->front() == '/') return *xdg + "/wf/history.db";
  auto home = non_empty(env, "HOME");
  if (!home) home = home_from_passwd();
  if (!home)
    fail(util::Exit::config,
         "history: cannot place the history database: none of --history, WF_HISTORY, XDG_DATA_HOME, "
         "HOME is set");
  return *home + "/.local/share/wf/history.db";
}

std::string resolve_history_path(std::optional<std::string> flag) {
  return resolve_history_path(std::move(flag), process_env());
}

std::string resolve_history_path(std::optional<std::string> flag, const EnvLookup& env) {
  if (flag && !flag->empty()) return *flag;
  if (auto v = non_empty(env, "WF_HISTORY")) return *v;
  return default_history_path(env);
}

void prepare_private_file(const std::string& path) {
  std::filesystem::path p(path);
  util::make_private_dirs(p.parent_path());
  // O_EXCL: a file that already exists keeps the mode its owner gave it.
  int fd = open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd >= 0) {
    close(fd);
    return;
  }
  if (errno != EEXIST)
    fail(util::Exit::cant_create, "{}: cannot create the history database: {}", path, std::strerror(errno));
}

}  // namespace wf::history
