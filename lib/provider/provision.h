#pragma once
// Creating, resizing and releasing resources through a provider with the ledger written before and
// after each call, so that a crash at any instant leaves every resource findable by wf-reap:
//
//   before anything     all rows `intent`, one transaction   (crash: nothing exists, rows closable)
//   before each call    that row `creating`                  (crash: found by key via list())
//   after each call     that row `active` with the provider's id, or `failed` with the error
//
// This is what wf-provision calls with the resources of its plan.
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "provider/ledger.h"
#include "provider/provision_claim.h"  // new_claim_id
#include "provider/provider.h"

namespace wf::provider {

struct ResourceRequest {
  std::string kind;              // a known kind (resource.h)
  std::string spec_json = "{}";  // a JSON object, passed to the provider as it is
  std::optional<double> ttl_s;   // none: the resource never expires by itself
};

struct ProvisionOptions {
  std::string run_id;  // the owner recorded with every resource
  // On a failure, delete what this call already created and close the rows not yet tried, so a
  // plan is held whole or not at all. Off: what was created stays, the caller decides.
  bool all_or_nothing = true;
};

// Creates `requests` through `provider`, in order; returns the ledger rows (state active) in the
// same order: their ids are what the document's provision section lists.
// On a failure the ProviderError is rethrown, its message prefixed with the resource id; the failing
// row is `failed` (or `released` when the provider guarantees nothing was created, e.g. the local
// pool was full); with all_or_nothing the resources already created are deleted again (a deletion
// that fails leaves its row `failed`, for wf-reap). Ledger errors (exit 75 on a held lock) propagate
// as they are: the rows written so far are enough for wf-reap.
std::vector<Resource> create_resources(Ledger& ledger, Provider& provider, std::span<const ResourceRequest> requests,
                                       const ProvisionOptions& options);
Resource create_resource(Ledger& ledger, Provider& provider, const ResourceRequest& request, const std::string& run_id);

// Resizes an active resource and records the new spec and report. Exit 66 when the ledger does not
// hold it, 65 when it is not active or belongs to another provider.
Resource resize_resource(Ledger& ledger, Provider& provider, std::string_view id, std::string_view spec_json);

// What became of one resource being released.
struct Release {
  Removed outcome = Removed::deleted;
  std::string note;  // why it counts as gone without a deletion ("never created", "not found by key")
};

// Releases a row claimed by `claim_id` (Ledger::claim): rows claimed from `intent` were never
// created and are just closed; a row without a provider id (its creator died mid-call) is looked up
// by its key in `listing()` (the provider's list(), fetched by the caller at most once per
// provider); then remove(), then the outcome under the claim. A ProviderError is recorded
// (fail_release: the row becomes `failed`) and rethrown.
Release release_claimed(Ledger& ledger, Provider& provider, const Claimed& claimed, std::string_view claim_id,
                        const std::function<const std::vector<ProviderResource>&()>& listing);

// Claims and releases one resource now (the lease API's release, all_or_nothing's undo). A row that
// is already released gives already_gone; one claimed by a live reaper gives exit 75; an unknown id 66.
Release release_resource(Ledger& ledger, Provider& provider, std::string_view id);

}  // namespace wf::provider
