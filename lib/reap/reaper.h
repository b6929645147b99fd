#pragma once
// The reaper: releases what a run held, what expired, and what providers hold that the ledger lost.
//
// Safety:
//   - Only ledger rows are ever released: a document names ledger ids and an owner run, and a row
//     is released only when it exists and its owner matches; no provider id is taken from outside.
//   - Rows are claimed in one transaction before any provider is called (state releasing, a claim
//     id), so two reapers at once never release the same row twice; a claim older than
//     stale_claim_s (its reaper died) can be taken over.
//   - Idempotent: released rows are skipped (reported as already gone), deleting what is gone is
//     success.
//   - Orphans: what a provider's list() reports as wf's but the ledger holds under no live row is
//     first recorded (state orphaned), then released like the rest. This deletes anything the
//     provider marks as wf's that THIS ledger does not hold: use one ledger per provider account.
#include <map>
#include <string>
#include <vector>

#include "provider/registry.h"

namespace wf::reap {

struct Selection {
  std::vector<std::string> run_ids;  // every live resource of these runs
  bool expired = false;              // live resources past their TTL (heartbeat lost)
  bool orphans = false;              // held by a provider, unknown to the ledger
  std::vector<std::string> orphan_providers;  // listed beyond those the ledger names (and local)
  // From a document: these ids, each released only when the ledger row's owner is in doc_owners.
  std::vector<std::string> doc_ids;
  std::vector<std::string> doc_owners;
};

struct ReapOptions {
  bool dry_run = false;
  double stale_claim_s = 900;
  // A provider's create may still be running this long after its row was marked creating, even
  // when the wf-provision that started it was killed (an exec: plugin or scontrol is a process of
  // its own): such a row is left for a later reaper, since releasing it now could miss what the
  // create makes. The local pool creates within the caller's own transaction: never left.
  double in_flight_s = 120;
  double now_s = 0;  // epoch seconds; 0: the real clock
};

enum class Outcome { released, already_gone, failed, would_release, skipped };
std::string_view to_string(Outcome outcome);

struct Item {
  std::string id;  // the ledger id; empty for an orphan seen in a dry run, or a provider that failed to list
  std::string provider;
  std::string kind;
  std::string provider_id;
  std::string run_id;
  Outcome outcome = Outcome::skipped;
  std::string why;   // what selected it: "run", "expired", "orphan", "document"
  std::string note;  // the error of a failure, why something counts as gone or was skipped
  bool unavailable = false;  // failed because the provider could not be reached
};

struct Report {
  bool dry_run = false;
  std::vector<Item> items;  // by id, then provider and provider id

  size_t count(Outcome outcome) const;
  // Nothing was released, found gone, or failed (skips and dry runs aside).
  bool nothing_done() const;
  // 0; 1 when something could not be released; 69 when every failure was a provider unavailable.
  int exit_code() const;
};

class Reaper {
 public:
  Reaper(provider::Ledger& ledger, provider::Providers& providers, ReapOptions options = {});
  Report reap(const Selection& selection);

 private:
  struct Candidate {
    std::string id;
    std::string why;
  };
  void select_document(const Selection& s, std::vector<Candidate>& out, Report& report);
  void select_orphans(const Selection& s, std::vector<Candidate>& out, Report& report);
  void release(const std::vector<Candidate>& candidates, Report& report);
  const std::vector<provider::ProviderResource>& listing(provider::Provider& p);

  provider::Ledger& ledger_;
  provider::Providers& providers_;
  ReapOptions options_;
  std::map<std::string, std::vector<provider::ProviderResource>> listings_;
};

}  // namespace wf::reap
