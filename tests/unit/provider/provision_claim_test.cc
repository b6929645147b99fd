// Claim ids name their holder, so a reaper that died on this machine is taken over at once.
#include <catch2/catch.hpp>

#include <sys/wait.h>
#include <unistd.h>

#include "provider/ledger.h"
#include "provider/provision_claim.h"
#include "support.h"
#include "util/strings.h"

using namespace wf::provider;
using wf::provider::testing::TempDir;

namespace {

// A claim id made by a child process that has exited since (and been waited for).
std::string dead_claim_id() {
  int fds[2];
  REQUIRE(pipe(fds) == 0);
  pid_t pid = fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    std::string id = new_claim_id();
    ssize_t w = write(fds[1], id.data(), id.size());
    _exit(w == static_cast<ssize_t>(id.size()) ? 0 : 1);
  }
  close(fds[1]);
  char buf[256];
  ssize_t n = read(fds[0], buf, sizeof buf);
  close(fds[0]);
  int status = 0;
  waitpid(pid, &status, 0);
  REQUIRE(n > 0);
  return std::string(buf, static_cast<size_t>(n));
}

// `id` with its field `index` (0-based, '-'-separated) replaced.
std::string with_field(const std::string& id, size_t index, const std::string& value) {
  auto parts = wf::util::split(id, '-');
  parts.at(index) = value;
  std::string out;
  for (size_t i = 0; i < parts.size(); ++i) out += (i ? "-" : "") + parts[i];
  return out;
}

}  // namespace

TEST_CASE("a claim id names this boot, pid namespace, pid and start time; unique per call") {
  std::string a = new_claim_id(), b = new_claim_id();
  CHECK(a != b);
  auto parts = wf::util::split(a, '-');
  REQUIRE(parts.size() == 6);
  CHECK(parts[0] == "claim");
  CHECK(parts[3] == std::to_string(getpid()));
  CHECK(process_start_ticks(getpid()).has_value());
  CHECK_FALSE(claim_holder_gone(a));
}

TEST_CASE("the holder is gone when its process exited, or its pid now names a later process") {
  CHECK(claim_holder_gone(dead_claim_id()));
  std::string mine = new_claim_id();
  CHECK(claim_holder_gone(with_field(mine, 4, "1")));  // same pid, another start time: pid reused
}

TEST_CASE("claims that cannot be judged here are never taken for gone") {
  std::string dead = dead_claim_id();
  CHECK_FALSE(claim_holder_gone(with_field(dead, 1, "000000000000")));  // another boot or host
  CHECK_FALSE(claim_holder_gone(with_field(dead, 2, "1")));             // another pid namespace
  for (const char* old : {"claim-123-0badf00d", "claim-x", "", "res-0123456789abcdef", "claim-a-b-c-d-e"})
    CHECK_FALSE(claim_holder_gone(old));
}

TEST_CASE("a row claimed by a reaper that died is claimed again at once, a live one's is not") {
  TempDir dir;
  Ledger ledger = Ledger::open(dir.file("ledger.db"));
  std::string id = ledger.record_intent({"local", "lease", "{}", "run-1", 60, ""});
  std::string dead = dead_claim_id();
  REQUIRE(ledger.claim(std::span(&id, 1), dead, 900).size() == 1);
  auto again = ledger.claim(std::span(&id, 1), new_claim_id(), 900);
  REQUIRE(again.size() == 1);
  CHECK(again[0].previous == State::releasing);
  CHECK(ledger.claim(std::span(&id, 1), new_claim_id(), 900).empty());  // held by this live process
}
