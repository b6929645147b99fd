#pragma once
// A provider creates, describes, resizes and releases capacity. wf talks to every provider through
// this interface: `local` (this host's pool, local_provider.h), `exec:PROGRAM` (a plugin speaking
// wf-provider/1, exec_provider.h), and the fakes of the unit tests.
//
// Contracts every implementation keeps:
//   - create() is idempotent on its key: a second create with the same key returns what the first
//     made. The key is the ledger's resource id; the provider keeps it with the resource (a tag, a
//     label, a name) so that list() can report it.
//   - remove() of something that is gone succeeds with already_gone.
//   - list() reports everything the provider holds that carries wf's mark, so that what a ledger
//     does not know (a creator died before recording the id) can be found and released.
//   - Failures are ProviderError, never another exception type (wf::Error from the ledger aside).
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "util/error.h"

namespace wf::provider {

class ProviderError : public Error {
 public:
  enum class Kind {
    permanent,    // the provider refused (bad spec, quota, unsupported): retrying will not help
    retryable,    // the provider said try again, and the retries ran out
    timeout,      // no answer in time (the plugin was killed)
    unavailable,  // the provider cannot be reached or started at all
    protocol,     // an answer that is not one: garbage, nothing, a crash
  };
  // `nothing_created`: the provider guarantees that the failed create left nothing behind, so the
  // ledger row can be closed; otherwise it stays `failed` for wf-reap.
  ProviderError(Kind kind, std::string code, std::string message, bool nothing_created = false);
  Kind kind() const { return kind_; }
  const std::string& code() const { return code_; }
  bool nothing_created() const { return nothing_created_; }

 private:
  Kind kind_;
  std::string code_;
  bool nothing_created_;
};

std::string_view to_string(ProviderError::Kind kind);

struct CreateRequest {
  std::string kind;              // a known kind (resource.h)
  std::string spec_json = "{}";  // a JSON object; its keys are the provider's business
  std::string idempotency_key;   // the ledger's resource id
  std::optional<double> ttl_s;   // for providers that can expire things themselves
  std::string owner;             // the owner run, for providers that tag
};

// What a provider holds: its id, and its report of it (a JSON object).
struct ProviderResource {
  std::string id;
  std::string kind;
  std::string idempotency_key;  // as given to create(); empty when the provider lost it
  std::string resource_json = "{}";
};

enum class Removed { deleted, already_gone };

class Provider {
 public:
  virtual ~Provider() = default;
  // As recorded in the ledger's provider column: "local", "exec:/usr/lib/wf/wf-provider-x".
  virtual const std::string& name() const = 0;

  virtual ProviderResource create(const CreateRequest& request) = 0;
  // nullopt when the provider holds no such resource.
  virtual std::optional<ProviderResource> describe(std::string_view id) = 0;
  virtual ProviderResource resize(std::string_view id, std::string_view spec_json, std::string_view idempotency_key) = 0;
  virtual Removed remove(std::string_view id, std::string_view idempotency_key) = 0;
  // Sorted by id.
  virtual std::vector<ProviderResource> list() = 0;
};

}  // namespace wf::provider
