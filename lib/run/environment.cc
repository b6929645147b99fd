#include "run/environment.h"

#include <algorithm>

#include <unistd.h>

extern char** environ;

namespace wf::run {
namespace {

bool has_key(std::string_view entry, std::string_view key) {
  return entry.size() > key.size() && entry.compare(0, key.size(), key) == 0 && entry[key.size()] == '=';
}

}  // namespace

Environment current_environment() {
  Environment env;
  for (char** e = environ; e != nullptr && *e != nullptr; ++e) env.emplace_back(*e);
  return env;
}

void set_env(Environment& env, std::string_view key, std::string_view value) {
  std::string entry;
  entry.reserve(key.size() + 1 + value.size());
  entry.append(key).append("=").append(value);
  auto first = std::find_if(env.begin(), env.end(), [&](const std::string& e) { return has_key(e, key); });
  if (first == env.end()) {
    env.push_back(std::move(entry));
    return;
  }
  *first = std::move(entry);
  env.erase(std::remove_if(first + 1, env.end(), [&](const std::string& e) { return has_key(e, key); }),
            env.end());
}

std::optional<std::string_view> get_env(const Environment& env, std::string_view key) {
  for (const auto& e : env)
    if (has_key(e, key)) return std::string_view(e).substr(key.size() + 1);
  return std::nullopt;
}

std::string_view search_path(const Environment& env) {
  if (auto path = get_env(env, "PATH")) return *path;
  return "/bin:/usr/bin";  // glibc's execvp default when PATH is unset
}

}  // namespace wf::run
