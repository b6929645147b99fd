#pragma once
// Where the history database lives. Precedence: --history PATH > $WF_HISTORY > the default,
// ${XDG_DATA_HOME:-~/.local/share}/wf/history.db. Empty values count as unset; a relative
// XDG_DATA_HOME is ignored, as the XDG base directory specification requires.
#include <functional>
#include <optional>
#include <string>

namespace wf::history {

// Reads one environment variable; nullopt when unset. The seam that lets tests fake the environment.
using EnvLookup = std::function<std::optional<std::string>(const char* name)>;
EnvLookup process_env();

// Throws wf::Error (exit 78) when neither XDG_DATA_HOME nor HOME (nor the password database)
// gives a home directory.
std::string default_history_path();
std::string default_history_path(const EnvLookup& env);

std::string resolve_history_path(std::optional<std::string> flag);
std::string resolve_history_path(std::optional<std::string> flag, const EnvLookup& env);

// Creates the missing parent directories of `path` with mode 0700 (existing ones are left as they
// are) and, when `path` does not exist, an empty file with mode 0600, so the database and its
// -wal/-shm companions (which SQLite creates with the database's mode) stay private to the user.
// Throws wf::Error (exit 73) naming the path when either cannot be created.
void prepare_private_file(const std::string& path);

}  // namespace wf::history
