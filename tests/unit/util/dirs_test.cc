// Private directories: created 0700, existing ones untouched, a file in the way refused.
#include <catch2/catch.hpp>

#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include "util/dirs.h"
#include "util/error.h"

using namespace wf;
namespace fs = std::filesystem;

namespace {

struct Scratch {
  fs::path dir;
  Scratch() {
    std::string tmpl = (fs::temp_directory_path() / "wf-dirs-test-XXXXXX").string();
    dir = ::mkdtemp(tmpl.data());
  }
  ~Scratch() {
    std::error_code ec;
    fs::remove_all(dir, ec);
  }
};

mode_t mode_of(const fs::path& p) {
  struct stat st {};
  REQUIRE(::stat(p.c_str(), &st) == 0);
  return st.st_mode & 0777;
}

}  // namespace

TEST_CASE("make_private_dirs: what it creates is 0700, what exists keeps its mode") {
  Scratch s;
  mode_t old_umask = ::umask(0);
  fs::create_directory(s.dir / "shared");
  fs::permissions(s.dir / "shared", fs::perms(0755));
  util::make_private_dirs(s.dir / "shared" / "a" / "." / "b" / ".." / "c");
  ::umask(old_umask);
  CHECK(mode_of(s.dir / "shared") == 0755);
  CHECK(mode_of(s.dir / "shared" / "a") == 0700);
  CHECK(mode_of(s.dir / "shared" / "a" / "c") == 0700);
  CHECK_FALSE(fs::exists(s.dir / "shared" / "a" / "b"));  // the path is normalised first
  util::make_private_dirs(s.dir / "shared" / "a");         // nothing to do
}

TEST_CASE("make_private_dirs: a file where a directory should be is an error naming it") {
  Scratch s;
  std::ofstream(s.dir / "file") << "x";
  try {
    util::make_private_dirs(s.dir / "file" / "logs");
    FAIL("no error");
  } catch (const Error& e) {
    CHECK(e.exit() == util::Exit::cant_create);
    CHECK(std::string(e.what()) == (s.dir / "file").string() + ": cannot create directory: it exists and is not one");
  }
  CHECK_THROWS_AS(util::make_private_dirs(s.dir / "file"), Error);
}
