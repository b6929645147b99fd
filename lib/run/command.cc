#include "run/command.h"

#include <algorithm>
#include <iterator>

#include <sys/stat.h>
#include <unistd.h>

namespace wf::run {
namespace {

// Sorted for binary search. Reserved words of POSIX sh and bash, POSIX special builtins, and the
// regular builtins that either have no program twin or whose twin differs from the builtin.
constexpr std::string_view kShellWords[] = {
    "!",        ".",        ":",        "[",         "[[",      "]]",       "alias",
    "bg",       "bind",     "break",    "builtin",  "caller",    "case",    "cd",       "chdir",
    "command",  "compgen",  "complete", "continue", "coproc",    "declare", "dirs",     "disown",
    "do",       "done",     "echo",     "elif",     "else",      "enable",  "esac",     "eval",
    "exec",     "exit",     "export",   "fc",       "fg",        "fi",      "for",      "function",
    "getopts",  "hash",     "help",     "history",  "if",        "in",      "jobs",     "kill",
    "let",      "local",    "logout",   "mapfile",  "popd",      "printf",  "pushd",    "pwd",
    "read",     "readarray", "readonly", "return",  "select",    "set",     "shift",    "shopt",
    "source",   "suspend",  "test",     "then",     "time",      "times",   "trap",     "type",
    "typeset",  "ulimit",   "umask",    "unalias",  "unset",     "until",   "wait",     "while",
};

bool is_word_char(unsigned char c) {
  if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) return true;
  switch (c) {
    case '-': case '_': case '.': case '/': case ',': case '+': case '@': case ':': case '=':
      return true;
    default:
      return false;
  }
}

bool is_executable_file(const std::string& path) {
  // access() first: it fails fast for the usual miss, stat() then rules out directories.
  struct stat st {};
  return ::access(path.c_str(), X_OK) == 0 && ::stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode);
}

// Whether the PATH element `dir`, found at `pos`, already occurred before `pos`.
bool seen_before(std::string_view path_value, size_t pos, std::string_view dir) {
  size_t p = 0;
  while (p < pos) {
    size_t end = path_value.find(':', p);
    if (path_value.substr(p, end - p) == dir) return true;
    p = end + 1;
  }
  return false;
}

}  // namespace

bool needs_shell_word(std::string_view word) {
  static_assert(std::is_sorted(std::begin(kShellWords), std::end(kShellWords)));
  return std::binary_search(std::begin(kShellWords), std::end(kShellWords), word);
}

std::optional<std::vector<std::string>> split_simple(std::string_view script) {
  std::vector<std::string> words;
  size_t i = 0;
  while (i < script.size()) {
    unsigned char c = static_cast<unsigned char>(script[i]);
    if (c == ' ' || c == '\t') {
      ++i;
      continue;
    }
    size_t start = i;
    while (i < script.size() && is_word_char(static_cast<unsigned char>(script[i]))) ++i;
    if (i == start) return std::nullopt;  // a character that means something to the shell
    if (i < script.size() && script[i] != ' ' && script[i] != '\t') return std::nullopt;
    words.emplace_back(script.substr(start, i - start));
  }
  if (words.empty()) return std::nullopt;
  // `A=b cmd` is an assignment; a first word with '=' is never a plain program name.
  if (words.front().find('=') != std::string::npos) return std::nullopt;
  if (needs_shell_word(words.front())) return std::nullopt;
  return words;
}

std::vector<std::string> argv_for(std::string_view script) {
  if (auto words = split_simple(script)) return std::move(*words);
  return {"/bin/sh", "-c", std::string(script)};
}

std::optional<std::string> resolve_program(std::string_view name, std::string_view path_value,
                                           std::string_view cwd) {
  if (name.empty()) return std::nullopt;
  if (name.find('/') != std::string_view::npos) return std::string(name);
  std::string candidate;  // as the child, already in `cwd`, will exec it
  std::string checked;    // the same file seen from here
  size_t pos = 0;
  for (bool last = false; !last;) {
    size_t end = path_value.find(':', pos);
    last = end == std::string_view::npos;
    std::string_view dir = path_value.substr(pos, last ? end : end - pos);
    size_t here = pos;
    pos = end + 1;
    if (seen_before(path_value, here, dir)) continue;  // PATH=/a:/b:/a: the second /a holds nothing new
    candidate.assign(dir.empty() ? "." : dir).append("/").append(name);
    bool relative = candidate.front() != '/';
    if (relative && !cwd.empty()) checked.assign(cwd).append("/").append(candidate);
    if (is_executable_file(relative && !cwd.empty() ? checked : candidate)) return candidate;
  }
  return std::nullopt;
}

}  // namespace wf::run
