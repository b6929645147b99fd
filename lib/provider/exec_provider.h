#pragma once
// `exec:PROGRAM`: a provider that hands each request to a plugin program speaking wf-provider/1
// (exec_protocol.h, man wf-provider(7)) — how a site reaches its cloud without wf linking any SDK.
//
// The plugin is run without a shell (argv is the program alone), in its own process group, with a
// scrubbed environment: PATH (the caller's, else a standard one), HOME and LANG when set, and only
// the variables the user passes explicitly (ExecOptions::pass_env). A call that outlives timeout_s
// has its process group killed. An answer with "retryable":true is retried (attempts, backoff
// doubling); every other failure is reported at once, naming the plugin, the op and the key.
//
// Secrets: the value of every variable passed whose name looks like a secret (secret_name()) is
// replaced by "***" in whatever comes back from the plugin and goes further — its error codes and
// messages, its stderr in our messages, the resource reports stored in the ledger and written in
// documents — so a plugin that echoes its token (in a failure, say) cannot leak it into logs.
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "provider/exec_protocol.h"
#include "provider/provider.h"
#include "provider/subprocess.h"
#include "util/clock.h"

namespace wf::provider {

struct ExecOptions {
  double timeout_s = 120;
  std::size_t max_output_bytes = 1 << 20;
  int attempts = 4;       // tries per call for retryable errors
  double backoff_s = 1;   // before the second try, doubled after each
  // What the plugin may see beyond PATH, HOME, LANG: "NAME" (passed when set), "PREFIX*" (every
  // variable starting with PREFIX), "NAME=value" (set to value).
  std::vector<std::string> pass_env;
  util::Clock* clock = nullptr;        // backoff sleeps; null: the real clock
  ProgramRunner* runner = nullptr;     // null: real_runner()
  // The caller's environment ("NAME=value"); empty: this process's environ.
  std::vector<std::string> environment;
};

// The plugin's environment, built from the caller's `environment` per ExecOptions; sorted by name.
// Exit 64 for a malformed pass_env entry.
std::vector<std::string> plugin_environment(const std::vector<std::string>& pass_env,
                                            const std::vector<std::string>& environment);

// Whether an environment variable's name says it holds a secret: it contains (in any case) TOKEN,
// SECRET, PASSWORD, PASSWD, PASSPHRASE, CREDENTIAL, AUTH, COOKIE, SESSION, PRIVATE, API_KEY,
// ACCESS_KEY, or ends in KEY or PASS. Values shorter than 4 characters are not redacted (they would
// blank out every number in a message).
bool secret_name(std::string_view name);

// The values to redact from a plugin's environment ("NAME=value" entries), longest first.
std::vector<std::string> secret_values(const std::vector<std::string>& env);

// `text` with every occurrence of each secret, and of its JSON-escaped form, replaced by "***".
std::string redact(std::string text, const std::vector<std::string>& secrets);

// An absolute path for PROGRAM: as given when it holds a '/', else the first executable of that
// name on `path_var` (PATH). ProviderError (unavailable, exit 69) when there is none.
std::string resolve_program(const std::string& program, const std::string& path_var);

class ExecProvider final : public Provider {
 public:
  // `program` as resolve_program() found it (absolute). The provider's name is "exec:" + program,
  // which the ledger records so that wf-reap, from cron, finds the same plugin.
  ExecProvider(std::string program, ExecOptions options);
  const std::string& name() const override { return name_; }
  ProviderResource create(const CreateRequest& request) override;
  std::optional<ProviderResource> describe(std::string_view id) override;
  ProviderResource resize(std::string_view id, std::string_view spec_json, std::string_view idempotency_key) override;
  Removed remove(std::string_view id, std::string_view idempotency_key) override;
  std::vector<ProviderResource> list() override;

 private:
  // Runs one request, retrying retryable errors; returns the answer (ok, or with `not_found_ok` an
  // error coded not_found) or throws ProviderError.
  PluginAnswer call(const PluginRequest& request, bool not_found_ok);
  std::string where(const PluginRequest& request) const;

  std::string program_;
  std::string name_;
  ExecOptions options_;
  std::vector<std::string> env_;
  std::vector<std::string> secrets_;  // secret_values(env_)
};

}  // namespace wf::provider
