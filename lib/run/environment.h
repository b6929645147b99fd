#pragma once
// A child's environment as the plain "KEY=VALUE" list that execve takes. The executor starts from
// ours and adds WF_RUN_ID, WF_TASK_ID, WF_CPUS, WF_MEM per task.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace wf::run {

using Environment = std::vector<std::string>;

// This process's environment, in environ order.
Environment current_environment();

// Replaces the first KEY=... entry (and drops later duplicates), or appends one.
void set_env(Environment& env, std::string_view key, std::string_view value);

// The value of KEY, if set.
std::optional<std::string_view> get_env(const Environment& env, std::string_view key);

// PATH from `env`, or the system default that execvp uses when PATH is unset.
std::string_view search_path(const Environment& env);

}  // namespace wf::run
