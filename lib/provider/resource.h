#pragma once
// A resource as the ledger records it: what was asked of which provider, for which run, and where
// its life stands. States and their meaning (every transition is one ledger transaction):
//
//   intent    recorded, the provider not yet called: nothing exists
//   creating  the provider call is (or was, when its caller died) in flight: something may exist
//   active    the provider answered with its id: it exists
//   releasing a reaper claimed it (claim id, claimed_s) and is deleting it
//   released  gone (deleted, already gone, or never created)
//   failed    a create or a release failed: it may exist; wf-reap retries
//   orphaned  found by a provider's list() but unknown to the ledger (or known as released)
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace wf::provider {

enum class State { intent, creating, active, releasing, released, failed, orphaned };

std::string_view to_string(State state);
std::optional<State> parse_state(std::string_view text);

// The kinds of resource wf knows. Kinds are stored as text so that a plugin's listing of a kind
// this wf does not know can still be recorded and reaped; requests must use a known kind.
inline constexpr std::string_view kKinds[] = {"vm",     "host",          "lease",       "volume", "bandwidth",
                                              "load_balancer", "reservation", "node", "scratch"};
bool is_known_kind(std::string_view kind);
// "vm, host, ..." for messages.
std::string kind_list();

struct Resource {
  std::string id;           // ours: res-<16 hex digits>; also the idempotency key of every call
  std::string provider;     // "local", "exec:/absolute/path", "slurm"
  std::string kind;         // one of kKinds (or whatever a provider listed, for orphans)
  std::string spec_json = "{}";    // what was asked, a JSON object
  std::string provider_id;  // the provider's own id; empty until it answered
  std::string run_id;       // the owner run; empty for orphans
  double created_s = 0;     // epoch seconds
  std::optional<double> ttl_s;        // none: never expires by itself
  std::optional<double> heartbeat_s;  // last renewal
  State state = State::intent;
  std::string error;        // the last error, empty when none
  std::string detail_json = "{}";  // what the provider reported it created, a JSON object
  std::string claim;        // the claim id of the reaper releasing it
  std::optional<double> claimed_s;
  double updated_s = 0;

  // max(created, heartbeat) + ttl; none without a TTL.
  std::optional<double> expires_s() const;
};

// "res-" followed by 16 lowercase hex digits from the system's random source. Ids must be unique
// across processes and hosts, so they are the one thing not drawn from a seed.
std::string new_resource_id();
bool is_resource_id(std::string_view text);

}  // namespace wf::provider
