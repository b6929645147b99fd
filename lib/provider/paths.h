#pragma once
// Where the ledger and the local pool's scratch directories live.
//   ledger:  --ledger PATH > $WF_LEDGER > ${XDG_DATA_HOME:-~/.local/share}/wf/ledger.db (beside the
//            history, same conventions: empty values are unset, a relative XDG_DATA_HOME is ignored)
//   scratch: --scratch-root DIR > $WF_SCRATCH_ROOT > the ledger's directory + "/scratch"
#include <optional>
#include <string>

#include "history/paths.h"

namespace wf::provider {

using history::EnvLookup;

// Throws wf::Error (exit 78) when no home directory can be found.
std::string default_ledger_path(const EnvLookup& env = history::process_env());
std::string resolve_ledger_path(std::optional<std::string> flag, const EnvLookup& env = history::process_env());
std::string resolve_scratch_root(std::optional<std::string> flag, const std::string& ledger_path,
                                 const EnvLookup& env = history::process_env());

// Creates the missing parent directories of `path` (mode 0700) and, when it does not exist, an
// empty file (mode 0600): the ledger names the user's resources and stays private. Exit 73 on failure.
void prepare_private_file(const std::string& path);

}  // namespace wf::provider
