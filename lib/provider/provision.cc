#include "provider/provision.h"

#include <random>

#include <unistd.h>

#include "util/log.h"

namespace wf::provider {
namespace {

// How long a claim protects a row from other reapers: longer than any provider call with retries.
constexpr double kStaleClaimS = 900;

// The untried rows of a failed plan: nothing was asked of the provider for them.
void close_untried(Ledger& ledger, std::span<const std::string> ids, size_t from) {
  for (size_t i = from; i < ids.size(); ++i) ledger.record_not_created(ids[i], "not attempted: an earlier resource failed");
}

// Deletes what a failed plan already created; a deletion that fails is left for wf-reap.
void undo(Ledger& ledger, Provider& provider, std::span<const Resource> created) {
  for (const Resource& r : created) {
    try {
      release_resource(ledger, provider, r.id);
    } catch (const Error& e) {
      util::warn("{}: could not delete {} after a failure ({}); wf-reap will retry", provider.name(), r.id, e.what());
    }
  }
}

// One intent row through the call: creating -> provider -> outcome.
Resource create_one(Ledger& ledger, Provider& provider, const ResourceRequest& request, const std::string& id,
                    const std::string& run_id) {
  if (!ledger.mark_creating(id))
    throw ProviderError(ProviderError::Kind::permanent, "claimed",
                        fmt::format("{}: {} was claimed for release before it was created", provider.name(), id), true);
  CreateRequest call{request.kind, request.spec_json, id, request.ttl_s, run_id};
  ProviderResource made;
  try {
    made = provider.create(call);
  } catch (const ProviderError& e) {
    std::string what = e.what();
    std::string message = what.find(id) == std::string::npos ? fmt::format("{}: {}", id, what) : what;
    if (e.nothing_created()) ledger.record_not_created(id, e.what());
    else ledger.record_failed(id, e.what());
    throw ProviderError(e.kind(), e.code(), message, e.nothing_created());
  }
  if (!ledger.record_created(id, made.id, made.resource_json)) {
    // A reaper claimed the row while the provider worked: give back what was just made.
    release_resource(ledger, provider, id);
    throw ProviderError(ProviderError::Kind::permanent, "claimed",
                        fmt::format("{}: {} was claimed for release while being created; it was deleted again",
                                    provider.name(), id),
                        true);
  }
  return *ledger.get(id);
}

}  // namespace

std::vector<Resource> create_resources(Ledger& ledger, Provider& provider, std::span<const ResourceRequest> requests,
                                       const ProvisionOptions& options) {
  std::vector<Intent> intents;
  for (const auto& r : requests) intents.push_back({provider.name(), r.kind, r.spec_json, options.run_id, r.ttl_s, ""});
  std::vector<std::string> ids = ledger.record_intents(intents);
  std::vector<Resource> created;
  for (size_t i = 0; i < requests.size(); ++i) {
    try {
      created.push_back(create_one(ledger, provider, requests[i], ids[i], options.run_id));
    } catch (const ProviderError&) {
      if (options.all_or_nothing) {
        close_untried(ledger, ids, i + 1);
        undo(ledger, provider, created);
      }
      throw;
    }
  }
  return created;
}

Resource create_resource(Ledger& ledger, Provider& provider, const ResourceRequest& request, const std::string& run_id) {
  ProvisionOptions options;
  options.run_id = run_id;
  return create_resources(ledger, provider, std::span(&request, 1), options).front();
}

Resource resize_resource(Ledger& ledger, Provider& provider, std::string_view id, std::string_view spec_json) {
  auto row = ledger.get(id);
  if (!row) fail(util::Exit::no_input, "{}: no resource {} in the ledger", ledger.path(), id);
  if (row->state != State::active || row->provider != provider.name())
    fail(util::Exit::data, "{}: cannot resize {}: it is {} at {}, not active at {}", ledger.path(), id,
         to_string(row->state), row->provider, provider.name());
  ProviderResource made = provider.resize(row->provider_id, spec_json, id);
  ledger.record_resized(id, spec_json, made.resource_json);
  return *ledger.get(id);
}

Release release_claimed(Ledger& ledger, Provider& provider, const Claimed& claimed, std::string_view claim_id,
                        const std::function<const std::vector<ProviderResource>&()>& listing) {
  const Resource& r = claimed.resource;
  Release result;
  try {
    std::string provider_id = r.provider_id;
    if (claimed.previous == State::intent) {
      result = {Removed::already_gone, "never created"};
    } else if (provider_id.empty()) {
      for (const auto& held : listing())
        if (held.idempotency_key == r.id) provider_id = held.id;
      if (provider_id.empty()) result = {Removed::already_gone, "the provider holds nothing under its key"};
    }
    if (!provider_id.empty()) result.outcome = provider.remove(provider_id, r.id);
  } catch (const ProviderError& e) {
    ledger.fail_release(r.id, claim_id, fmt::format("release: {}", e.what()));
    throw;
  }
  if (!ledger.finish_release(r.id, claim_id, result.note))
    util::warn("{}: the claim on {} was taken over by another reaper before the release was recorded", ledger.path(), r.id);
  return result;
}

Release release_resource(Ledger& ledger, Provider& provider, std::string_view id) {
  auto row = ledger.get(id);
  if (!row) fail(util::Exit::no_input, "{}: no resource {} in the ledger", ledger.path(), id);
  if (row->provider != provider.name())
    fail(util::Exit::data, "{}: {} belongs to provider {}, not {}", ledger.path(), id, row->provider, provider.name());
  if (row->state == State::released) return {Removed::already_gone, "already released"};
  std::string claim_id = new_claim_id();
  std::string key(id);
  auto claimed = ledger.claim(std::span(&key, 1), claim_id, kStaleClaimS);
  if (claimed.empty()) fail(util::Exit::temp, "{}: {} is being released by another process", ledger.path(), id);
  std::optional<std::vector<ProviderResource>> held;
  auto listing = [&]() -> const std::vector<ProviderResource>& {
    if (!held) held = provider.list();
    return *held;
  };
  return release_claimed(ledger, provider, claimed.front(), claim_id, listing);
}

}  // namespace wf::provider
