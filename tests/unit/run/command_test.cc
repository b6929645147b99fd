#include <sys/stat.h>

#include <catch2/catch.hpp>

#include "run/command.h"
#include "run/environment.h"
#include "test_support.h"

using namespace wf::run;
using Words = std::vector<std::string>;

TEST_CASE("split_simple gives the words of commands without shell syntax") {
  CHECK(split_simple("true") == Words{"true"});
  CHECK(split_simple("  ls -l\t/tmp  ") == Words{"ls", "-l", "/tmp"});
  CHECK(split_simple("gcc -O2 -o a.out a.c") == Words{"gcc", "-O2", "-o", "a.out", "a.c"});
  CHECK(split_simple("configure --prefix=/usr/local") == Words{"configure", "--prefix=/usr/local"});
  CHECK(split_simple("./bin/run-step_2 user@host:path a,b +x") ==
        Words{"./bin/run-step_2", "user@host:path", "a,b", "+x"});
  CHECK(split_simple("sleep 0.1") == Words{"sleep", "0.1"});
  CHECK(split_simple("false") == Words{"false"});
}

TEST_CASE("split_simple leaves everything with shell meaning to the shell") {
  const char* scripts[] = {
      "",           "   ",         "a | b",         "a;b",        "a && b",     "a & ",
      "a > f",      "cat < f",     "$HOME/bin/x",   "x $Y",       "`id`",       "a\\ b",
      "'a'",        "say \"a\"",   "ls *.c",        "ls file?",   "ls [ab]",    "ls ~",
      "ls ~/x",     "ls #c",       "a\nb",          "a\rb",       "(a)",        "{ a; }",
      "!x",         "ls %1",       "a^b",           "A=b cmd",    "x=1",        "caf\xc3\xa9",
      "cd /tmp",    "export A",    ". ./env",       "source env", ": nothing",  "if true",
      "for",        "set -e",      "exit 1",        "exec prog",  "time make",  "echo hi",
      "printf x",   "pwd",         "kill 12",       "test -e x",  "umask 077",  "wait",
      "ulimit -n",  "read x",      "trap x INT",    "unset X",    "eval x",     "alias a",
  };
  for (const char* script : scripts) {
    INFO("script: " << script);
    CHECK_FALSE(split_simple(script).has_value());
  }
}

TEST_CASE("shell words are the keywords and builtins a program cannot stand in for") {
  CHECK(needs_shell_word("cd"));
  CHECK(needs_shell_word("."));
  CHECK(needs_shell_word(":"));
  CHECK(needs_shell_word("source"));
  CHECK(needs_shell_word("while"));
  CHECK_FALSE(needs_shell_word("true"));
  CHECK_FALSE(needs_shell_word("make"));
  CHECK_FALSE(needs_shell_word("cdx"));
}

TEST_CASE("argv_for runs simple commands directly and the rest through /bin/sh") {
  CHECK(argv_for("make -j2 all") == Words{"make", "-j2", "all"});
  CHECK(argv_for("make > log") == Words{"/bin/sh", "-c", "make > log"});
  CHECK(argv_for("cd src && make") == Words{"/bin/sh", "-c", "cd src && make"});
}

TEST_CASE("resolve_program searches the given PATH like execvp") {
  wf::run::testing::TempDir dir;
  std::filesystem::create_directories(dir.path() / "a");
  std::filesystem::create_directories(dir.path() / "b");
  std::filesystem::create_directories(dir.path() / "a" / "tool2");  // a directory is not a program
  wf::run::testing::write_text(dir.file("a/tool"), "");             // not executable
  for (const char* f : {"b/tool", "b/tool2"}) {
    wf::run::testing::write_text(dir.file(f), "#!/bin/sh\n");
    ::chmod(dir.file(f).c_str(), 0755);
  }
  std::string path = dir.file("a") + ":" + dir.file("b");
  CHECK(resolve_program("tool", path) == dir.file("b/tool"));
  CHECK(resolve_program("tool2", path) == dir.file("b/tool2"));
  CHECK(resolve_program("missing", path) == std::nullopt);
  CHECK(resolve_program("./anything", path) == "./anything");
  CHECK(resolve_program("", path) == std::nullopt);
  // A relative element is the task's working directory's business, and is returned relative.
  CHECK(resolve_program("tool", "b", dir.path().string()) == "b/tool");
  CHECK(resolve_program("tool", "/nonexistent:", dir.file("b")) == "./tool");
}

TEST_CASE("environment lists are edited by key") {
  Environment env{"PATH=/bin", "A=1", "AB=2", "A=3"};
  CHECK(get_env(env, "A") == "1");
  CHECK(get_env(env, "AB") == "2");
  CHECK(get_env(env, "B") == std::nullopt);
  set_env(env, "A", "x=y");
  CHECK(env == Environment{"PATH=/bin", "A=x=y", "AB=2"});
  set_env(env, "WF_TASK_ID", "t1");
  CHECK(env.back() == "WF_TASK_ID=t1");
  CHECK(search_path(env) == "/bin");
  CHECK(search_path(Environment{}) == "/bin:/usr/bin");
  CHECK_FALSE(current_environment().empty());
}
