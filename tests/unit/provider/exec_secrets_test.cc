// Secrets given to an exec: plugin never come back out of wf: what the plugin echoes (stderr, error
// messages, resource reports, listings) is redacted before it reaches messages, the ledger or a
// document.
#include <catch2/catch.hpp>

#include "provider/exec_provider.h"
#include "provider/provision.h"
#include "support.h"

using namespace wf::provider;
using wf::provider::testing::TempDir;

namespace {

const std::string kToken = "tok-9f8e7d6c5b4a-Zx/+=";

std::string plugin(const std::string& name) { return std::string(WF_SOURCE_DIR) + "/tests/unit/provider/plugins/" + name; }

ExecOptions leaky_options() {
  ExecOptions o;
  o.timeout_s = 5;
  o.attempts = 1;
  o.pass_env = {"SITE_API_TOKEN"};
  o.environment = {"PATH=/usr/bin:/bin", "SITE_API_TOKEN=" + kToken};
  return o;
}

bool leaks(std::string_view text) {
  return text.find("tok-9f8e7d6c5b4a") != std::string_view::npos;
}

}  // namespace

TEST_CASE("secret names: tokens, passwords, keys; not paths or counts") {
  for (const char* n : {"SITE_API_TOKEN", "AWS_SECRET_ACCESS_KEY", "DB_PASSWORD", "OS_PASSWD", "GH_AUTH", "SSH_KEY",
                        "vault_token", "SESSION_ID", "MY_PASS", "PRIVATE_CERT", "CLOUD_CREDENTIALS"})
    CHECK(secret_name(n));
  for (const char* n : {"WF_PROVIDER_STATE", "WF_PROVIDER_NETNS_ROOT", "REGION", "HOME", "KEYRING_DIR", "PASSES"})
    CHECK_FALSE(secret_name(n));
}

TEST_CASE("secret values: only secret names, at least 4 characters, longest first; redact blanks plain and JSON forms") {
  auto values = secret_values({"PATH=/bin", "A_TOKEN=abcdef", "B_TOKEN=abcdefgh", "C_TOKEN=ab", "STATE=/tmp/x"});
  REQUIRE(values == std::vector<std::string>{"abcdefgh", "abcdef"});
  CHECK(redact("x abcdefgh y abcdef z", values) == "x *** y *** z");
  CHECK(redact(R"({"a":"p\"q"})", {"p\"q"}) == R"({"a":"***"})");
  CHECK(redact("nothing here", {}) == "nothing here");
}

TEST_CASE("a plugin that echoes its token: not in errors, the ledger, or resource reports") {
  TempDir dir;
  Ledger ledger = Ledger::open(dir.file("ledger.db"));
  ExecProvider p(plugin("leaky.sh"), leaky_options());

  Resource made = create_resource(ledger, p, {"vm", R"({"vcpu":1})", 60}, "run-1");
  CHECK_FALSE(leaks(made.detail_json));
  CHECK(made.detail_json.find("Bearer ***") != std::string::npos);
  CHECK_FALSE(leaks(ledger.get(made.id)->detail_json));

  for (const auto& r : p.list()) CHECK_FALSE(leaks(r.resource_json));

  std::string message;
  try {
    release_resource(ledger, p, made.id);
  } catch (const ProviderError& e) {
    message = e.what();
  }
  REQUIRE_FALSE(message.empty());
  CHECK_FALSE(leaks(message));
  CHECK(message.find("token *** was refused") != std::string::npos);
  auto row = ledger.get(made.id);
  REQUIRE(row);
  CHECK(row->state == State::failed);
  CHECK_FALSE(leaks(row->error));
  for (const auto& r : ledger.all()) {
    CHECK_FALSE(leaks(r.error));
    CHECK_FALSE(leaks(r.detail_json));
    CHECK_FALSE(leaks(r.spec_json));
  }
}

TEST_CASE("a plugin's stderr, quoted in a message, is redacted") {
  ExecOptions o = leaky_options();
  o.pass_env.push_back("LEAKY_GARBAGE=1");
  ExecProvider p(plugin("leaky.sh"), o);
  try {
    p.list();
    FAIL("garbage was accepted");
  } catch (const ProviderError& e) {
    std::string message = e.what();
    CHECK(message.find("stderr: debug: calling the cloud with token ***") != std::string::npos);
    CHECK_FALSE(leaks(message));
  }
}
