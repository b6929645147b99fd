#include <catch2/catch.hpp>

#include <map>

#include "history/paths.h"

using namespace wf::history;

namespace {

EnvLookup fake_env(std::map<std::string, std::string> vars) {
  return [vars = std::move(vars)](const char* name) -> std::optional<std::string> {
    auto it = vars.find(name);
    if (it == vars.end()) return std::nullopt;
    return it->second;
  };
}

}  // namespace

TEST_CASE("the default history lives under XDG_DATA_HOME, else ~/.local/share") {
  CHECK(default_history_path(fake_env({{"XDG_DATA_HOME", "/x/data"}, {"HOME", "/home/u"}})) ==
        "/x/data/wf/history.db");
  CHECK(default_history_path(fake_env({{"HOME", "/home/u"}})) == "/home/u/.local/share/wf/history.db");
  // Empty and relative XDG_DATA_HOME are ignored, as the XDG specification says.
  CHECK(default_history_path(fake_env({{"XDG_DATA_HOME", ""}, {"HOME", "/home/u"}})) ==
        "/home/u/.local/share/wf/history.db");
  CHECK(default_history_path(fake_env({{"XDG_DATA_HOME", "rel"}, {"HOME", "/home/u"}})) ==
        "/home/u/.local/share/wf/history.db");
}

TEST_CASE("the flag beats WF_HISTORY, which beats the default") {
  auto env = fake_env({{"WF_HISTORY", "/env/h.db"}, {"HOME", "/home/u"}});
  CHECK(resolve_history_path(std::string("/flag/h.db"), env) == "/flag/h.db");
  CHECK(resolve_history_path(std::nullopt, env) == "/env/h.db");
  CHECK(resolve_history_path(std::string(), env) == "/env/h.db");
  CHECK(resolve_history_path(std::nullopt, fake_env({{"WF_HISTORY", ""}, {"HOME", "/h"}})) ==
        "/h/.local/share/wf/history.db");
}
