#pragma once
// From a task's shell command string to the argv that is exec'd.
//
// Spawning through `/bin/sh -c` costs a shell start per task (~0.5 ms here), which dominates an
// executor running many short tasks. Like make, wf execs a command directly when it has no shell
// syntax at all, and hands everything else to /bin/sh. The test is conservative: a command wrongly
// judged simple would run with different meaning (a bug); one wrongly judged to need a shell only
// costs the shell's start-up.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace wf::run {

// The words of `script` when it can be exec'd directly with the same meaning as `/bin/sh -c script`:
// only the characters [A-Za-z0-9] and `-_./,+@:` plus `=` outside the first word, separated by
// spaces or tabs; at least one word; the first word neither an assignment nor a shell keyword or
// builtin (see needs_shell_word). Anything else (quotes, $, globs, redirections, ~, #, newlines,
// non-ASCII bytes, ...) gives nullopt.
std::optional<std::vector<std::string>> split_simple(std::string_view script);

// True for words that a shell treats itself as the command name: reserved words (if, for, {, ...),
// builtins without an equivalent program (cd, export, set, ., source, :, exit, ...), and builtins
// whose program twin behaves differently (echo, printf, pwd, kill, test, time, ...).
bool needs_shell_word(std::string_view word);

// The argv that runs `script`: its words when split_simple accepts it, else {"/bin/sh", "-c", script}.
std::vector<std::string> argv_for(std::string_view script);

// PATH lookup as execvp does it, against the given PATH value (the task's own, not ours): the first
// `dir/name` that is a regular file the caller may execute. A name containing '/' is returned as
// is. An empty PATH element means the current directory; relative elements are taken relative to
// `cwd` (the task's working directory) when it is not empty. nullopt when nothing is found.
std::optional<std::string> resolve_program(std::string_view name, std::string_view path_value,
                                           std::string_view cwd = {});

}  // namespace wf::run
