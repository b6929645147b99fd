// exec: providers against real plugin programs (tests/unit/provider/plugins/*.sh) that work, fail,
// hang, crash, print garbage or nothing.
#include <catch2/catch.hpp>

#include <csignal>
#include <filesystem>
#include <fstream>

#include <unistd.h>

#include "provider/exec_provider.h"
#include "provider/provision.h"
#include "support.h"

using namespace wf::provider;
using wf::provider::testing::TempDir;

namespace {

std::string plugin(const std::string& name) { return std::string(WF_SOURCE_DIR) + "/tests/unit/provider/plugins/" + name; }

struct Fixture {
  TempDir dir;
  Ledger ledger = Ledger::open(dir.file("ledger.db"));
  std::string state = dir.file("state");

  ExecOptions options(std::vector<std::string> extra = {}) {
    ExecOptions o;
    o.timeout_s = 5;
    o.backoff_s = 0.01;
    o.pass_env = {"WF_PROVIDER_STATE=" + state};
    for (auto& e : extra) o.pass_env.push_back(e);
    return o;
  }
  ExecProvider make(const std::string& name, std::vector<std::string> extra = {}) {
    return ExecProvider(plugin(name), options(std::move(extra)));
  }
  size_t files() {
    size_t n = 0;
    std::error_code ec;
    for (const auto& e : std::filesystem::directory_iterator(state, ec))
      n += e.path().filename().string().rfind("vm-", 0) == 0;
    return n;
  }
};

// The message of the ProviderError `f` throws, and that the ledger's one row ended `failed` with it.
std::string failure(Fixture& fx, ExecProvider& p, ProviderError::Kind kind) {
  try {
    create_resource(fx.ledger, p, {"vm", R"({"vcpu":1})", 60}, "run-1");
  } catch (const ProviderError& e) {
    CHECK(e.kind() == kind);
    auto rows = fx.ledger.all();
    REQUIRE(rows.size() == 1);
    CHECK(rows[0].state == State::failed);
    CHECK(rows[0].error == e.what());
    CHECK(std::string(e.what()).find(p.name() + ": create " + rows[0].id) != std::string::npos);
    return e.what();
  }
  FAIL("no error");
  return "";
}

// Alive and not a zombie (a killed orphan may wait a moment for init to reap it).
bool running(pid_t pid) {
  for (int i = 0; i < 100; ++i) {
    std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
    std::string skip, state;
    if (!(stat >> skip >> skip >> state) || state == "Z" || state == "X") return false;
    usleep(10000);
  }
  return true;
}

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

}  // namespace

TEST_CASE("a working plugin creates, describes, resizes, lists and deletes, idempotently") {
  Fixture fx;
  ExecProvider p = fx.make("state.sh");
  CHECK(p.name() == "exec:" + plugin("state.sh"));
  Resource r = create_resource(fx.ledger, p, {"vm", R"({"vcpu":2})", 60}, "run-1");
  CHECK(r.state == State::active);
  CHECK(r.provider == p.name());
  CHECK(r.provider_id == "vm-1");
  CHECK(r.detail_json == R"({"kind":"vm"})");
  CreateRequest again{"vm", "{}", r.id, std::nullopt, "run-1"};
  CHECK(p.create(again).id == "vm-1");  // same key, same resource
  CHECK(p.describe("vm-1"));
  CHECK_FALSE(p.describe("vm-99"));
  CHECK(p.resize("vm-1", R"({"vcpu":4})", r.id).resource_json == R"({"resized":true})");
  auto held = p.list();
  REQUIRE(held.size() == 1);
  CHECK(held[0].idempotency_key == r.id);
  CHECK(release_resource(fx.ledger, p, r.id).outcome == Removed::deleted);
  CHECK(fx.files() == 0);
  CHECK(p.remove("vm-1", r.id) == Removed::already_gone);
}

TEST_CASE("retryable errors are retried with backoff, then reported as temporary (75)") {
  Fixture fx;
  ExecProvider patient = fx.make("state.sh", {"WF_PROVIDER_FAIL_TIMES=2"});
  CHECK(create_resource(fx.ledger, patient, {"vm", "{}", 60}, "run-1").state == State::active);
  Fixture fx2;
  ExecOptions o = fx2.options({"WF_PROVIDER_FAIL_TIMES=5"});
  o.attempts = 2;
  ExecProvider impatient(plugin("state.sh"), o);
  std::string message = failure(fx2, impatient, ProviderError::Kind::retryable);
  CHECK(contains(message, "rate_limited: slow down (still failing after 2 tries)"));
}

TEST_CASE("a plugin that refuses gives its code and message, exit 69") {
  Fixture fx;
  ExecProvider p = fx.make("fail.sh");
  std::string message = failure(fx, p, ProviderError::Kind::permanent);
  CHECK(contains(message, "quota_exceeded: no more vms in this account"));
}

TEST_CASE("a plugin that hangs is killed with its whole process group after the timeout") {
  Fixture fx;
  std::filesystem::create_directories(fx.state);
  ExecOptions o = fx.options();
  o.timeout_s = 0.5;
  ExecProvider p(plugin("hang.sh"), o);
  std::string message = failure(fx, p, ProviderError::Kind::timeout);
  CHECK(contains(message, "no answer within 0.5s"));
  pid_t grandchild = 0;
  std::ifstream(fx.state + "/grandchild") >> grandchild;
  REQUIRE(grandchild > 0);
  CHECK_FALSE(running(grandchild));  // killed with the group
}

TEST_CASE("a plugin that crashes, prints garbage, nothing, too much, or lies about success is named with its op") {
  Fixture fx;
  SECTION("crash") {
    ExecProvider p = fx.make("crash.sh");
    std::string m = failure(fx, p, ProviderError::Kind::protocol);
    CHECK(contains(m, "killed by SIGSEGV"));
    CHECK(contains(m, "stderr: oops: something went wrong"));
  }
  SECTION("garbage") {
    ExecProvider p = fx.make("garbage.sh");
    CHECK(contains(failure(fx, p, ProviderError::Kind::protocol), "not wf-provider/1: not JSON"));
  }
  SECTION("nothing") {
    ExecProvider p = fx.make("silent.sh");
    CHECK(contains(failure(fx, p, ProviderError::Kind::protocol), "printed nothing"));
  }
  SECTION("too much") {
    ExecProvider p = fx.make("chatty.sh");
    CHECK(contains(failure(fx, p, ProviderError::Kind::protocol), "printed more than 1048576 bytes"));
  }
  SECTION("ok, then a failing exit status") {
    ExecProvider p = fx.make("liar.sh");
    CHECK(contains(failure(fx, p, ProviderError::Kind::protocol), "answered ok but exited with status 3"));
  }
  SECTION("no such program") {
    try {
      ExecProvider(plugin("missing.sh"), fx.options()).list();
      FAIL("ran");
    } catch (const ProviderError& e) {
      CHECK(e.kind() == ProviderError::Kind::unavailable);
      CHECK(contains(e.what(), "missing.sh"));
    }
    try {
      resolve_program(plugin("missing.sh"), "");
      FAIL("found");
    } catch (const ProviderError& e) {
      CHECK(wf::util::code(e.exit()) == 69);
    }
  }
}

TEST_CASE("a plugin that creates and then dies leaves the row failed; the reaper's lookup by key deletes it") {
  Fixture fx;
  ExecProvider crashing = fx.make("state.sh", {"WF_PROVIDER_CRASH_AFTER_CREATE=1"});
  std::string m = failure(fx, crashing, ProviderError::Kind::protocol);
  CHECK(contains(m, "killed by SIGKILL"));
  CHECK(fx.files() == 1);
  ExecProvider sane = fx.make("state.sh");
  Release r = release_resource(fx.ledger, sane, fx.ledger.all()[0].id);
  CHECK(r.outcome == Removed::deleted);
  CHECK(fx.files() == 0);
  CHECK(fx.ledger.live().empty());
}

TEST_CASE("a plugin sees PATH, HOME, LANG and only the variables passed to it") {
  Fixture fx;
  ExecOptions o;
  o.environment = {"PATH=/usr/bin:/bin", "HOME=/home/u", "LANG=C.UTF-8", "AWS_SECRET_ACCESS_KEY=s3cr3t",
                   "WF_PROVIDER_TOKEN=t", "WF_PROVIDER_REGION=eu", "WF_HISTORY=/h", "SSH_AUTH_SOCK=/tmp/agent"};
  o.pass_env = {"WF_PROVIDER_*", "EXTRA=1", "UNSET_NAME"};
  ExecProvider p(plugin("env.sh"), o);
  auto r = p.describe("env");
  REQUIRE(r);
  CHECK(r->resource_json == R"({"names":"EXTRA HOME LANG PATH WF_PROVIDER_REGION WF_PROVIDER_TOKEN "})");
}

TEST_CASE("the plugin environment is built from names, prefixes and assignments") {
  std::vector<std::string> env{"PATH=/p", "HOME=/h", "WF_PROVIDER_A=1", "WF_PROVIDER_B=2", "WF_PROVIDERX=3", "OTHER=4"};
  CHECK(plugin_environment({}, env) == std::vector<std::string>{"HOME=/h", "PATH=/p"});
  CHECK(plugin_environment({"WF_PROVIDER_*", "OTHER", "X=y=z"}, env) ==
        std::vector<std::string>{"HOME=/h", "OTHER=4", "PATH=/p", "WF_PROVIDER_A=1", "WF_PROVIDER_B=2", "X=y=z"});
  CHECK(plugin_environment({}, {"LANG=C"}).front() == "LANG=C");
  CHECK(plugin_environment({}, {})[0].rfind("PATH=/usr/local/sbin:", 0) == 0);
  CHECK_THROWS_AS(plugin_environment({"BAD NAME"}, env), wf::Error);
  CHECK_THROWS_AS(plugin_environment({"*"}, env), wf::Error);
}

TEST_CASE("a plugin that answers without reading a large request does not take us down with SIGPIPE") {
  Fixture fx;
  ExecProvider p = fx.make("deaf.sh");
  std::string spec = R"({"blob":")" + std::string(1 << 20, 'a') + R"("})";
  CreateRequest r{"vm", spec, "res-00000000000000aa", std::nullopt, ""};
  CHECK(p.create(r).id == "deaf-1");
}

TEST_CASE("programs are found on PATH and recorded by absolute path") {
  TempDir dir;
  std::string bin = dir.file("bin");
  std::filesystem::create_directories(bin);
  std::filesystem::copy_file(plugin("silent.sh"), bin + "/wf-provider-x");
  CHECK(resolve_program("wf-provider-x", "relative:" + bin) == bin + "/wf-provider-x");
  CHECK_THROWS_AS(resolve_program("wf-provider-x", "/nonexistent"), ProviderError);
  CHECK_THROWS_AS(resolve_program("", bin), ProviderError);
}
