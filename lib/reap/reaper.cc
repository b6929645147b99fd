#include "reap/reaper.h"

#include <algorithm>
#include <set>
#include <tuple>

#include "provider/provision.h"
#include "util/clock.h"
#include "util/exit.h"
#include "util/log.h"

namespace wf::reap {
namespace {

using provider::ProviderError;

bool unreachable(const ProviderError& e) {
  return e.kind() == ProviderError::Kind::unavailable || e.kind() == ProviderError::Kind::timeout;
}

Item item_of(const provider::Resource& r, Outcome outcome, std::string why, std::string note = {}) {
  return {r.id, r.provider, r.kind, r.provider_id, r.run_id, outcome, std::move(why), std::move(note), false};
}

}  // namespace

std::string_view to_string(Outcome outcome) {
  switch (outcome) {
    case Outcome::released: return "released";
    case Outcome::already_gone: return "already_gone";
    case Outcome::failed: return "failed";
    case Outcome::would_release: return "would_release";
    case Outcome::skipped: return "skipped";
  }
  return "unknown";
}

size_t Report::count(Outcome outcome) const {
  return static_cast<size_t>(std::count_if(items.begin(), items.end(), [&](const Item& i) { return i.outcome == outcome; }));
}

bool Report::nothing_done() const {
  return count(Outcome::released) + count(Outcome::already_gone) + count(Outcome::failed) + count(Outcome::would_release) == 0;
}

int Report::exit_code() const {
  bool failed = false, all_unavailable = true;
  for (const Item& i : items) {
    if (i.outcome != Outcome::failed) continue;
    failed = true;
    all_unavailable = all_unavailable && i.unavailable;
  }
  if (!failed) return 0;
  return util::code(all_unavailable ? util::Exit::unavailable : util::Exit::failed);
}

Reaper::Reaper(provider::Ledger& ledger, provider::Providers& providers, ReapOptions options)
    : ledger_(ledger), providers_(providers), options_(options) {}

const std::vector<provider::ProviderResource>& Reaper::listing(provider::Provider& p) {
  auto it = listings_.find(p.name());
  if (it == listings_.end()) it = listings_.emplace(p.name(), p.list()).first;
  return it->second;
}

// Listed ids count only when the ledger row exists and its owner is one the document names.
void Reaper::select_document(const Selection& s, std::vector<Candidate>& out, Report& report) {
  std::set<std::string> owners(s.doc_owners.begin(), s.doc_owners.end());
  owners.erase("");
  for (const auto& id : s.doc_ids) {
    auto row = ledger_.get(id);
    if (!row) {
      report.items.push_back({id, "", "", "", "", Outcome::skipped, "document", "not in the ledger", false});
    } else if (!owners.count(row->run_id)) {
      report.items.push_back(item_of(*row, Outcome::skipped, "document",
                                     fmt::format("owned by run '{}', which the document does not name", row->run_id)));
    } else if (row->state == provider::State::released) {
      report.items.push_back(item_of(*row, Outcome::already_gone, "document", "released earlier"));
    } else {
      out.push_back({id, "document"});
    }
  }
}

void Reaper::select_orphans(const Selection& s, std::vector<Candidate>& out, Report& report) {
  std::set<std::string> names{"local"};
  for (const auto& n : ledger_.providers()) names.insert(n);
  for (const auto& n : s.orphan_providers) names.insert(n);
  for (const auto& name : names) {
    try {
      provider::Provider& p = providers_.get(name);
      for (const auto& held : listing(p)) {
        if (ledger_.holds(p.name(), held.id, held.idempotency_key)) continue;
        if (options_.dry_run) {
          report.items.push_back({"", p.name(), held.kind, held.id, "", Outcome::would_release, "orphan", "", false});
          continue;
        }
        out.push_back({ledger_.record_orphan(p.name(), held.kind, held.id, held.resource_json), "orphan"});
      }
    } catch (const ProviderError& e) {
      report.items.push_back({"", name, "", "", "", Outcome::failed, "orphan", fmt::format("list: {}", e.what()), unreachable(e)});
    }
  }
}

void Reaper::release(const std::vector<Candidate>& candidates, Report& report) {
  std::map<std::string, std::string> why;
  std::vector<std::string> ids;
  double now = options_.now_s > 0 ? options_.now_s : util::real_clock().wall();
  for (const auto& c : candidates) {
    if (!why.emplace(c.id, c.why).second) continue;
    auto row = ledger_.get(c.id);
    if (row && row->state == provider::State::creating && row->provider != "local" && now - row->updated_s < options_.in_flight_s) {
      report.items.push_back(item_of(*row, Outcome::skipped, c.why,
                                     fmt::format("its create may still be running (started {:.0f} s ago); reap again after {:.0f} s",
                                                 std::max(0.0, now - row->updated_s), options_.in_flight_s)));
      continue;
    }
    ids.push_back(c.id);
  }
  std::string claim_id = provider::new_claim_id();
  auto claimed = ledger_.claim(ids, claim_id, options_.stale_claim_s);
  std::set<std::string> mine;
  for (const auto& c : claimed) mine.insert(c.resource.id);
  for (const auto& id : ids)
    if (!mine.count(id))
      if (auto row = ledger_.get(id); row && row->state != provider::State::released)
        report.items.push_back(item_of(*row, Outcome::skipped, why[id], "being released by another reaper"));
  for (const auto& c : claimed) {
    const provider::Resource& r = c.resource;
    try {
      provider::Provider& p = providers_.get(r.provider);
      auto list = [&]() -> const std::vector<provider::ProviderResource>& { return listing(p); };
      provider::Release done = provider::release_claimed(ledger_, p, c, claim_id, list);
      report.items.push_back(item_of(*ledger_.get(r.id), done.outcome == provider::Removed::deleted ? Outcome::released
                                                                                                   : Outcome::already_gone,
                                     why[r.id], done.note));
    } catch (const ProviderError& e) {
      ledger_.fail_release(r.id, claim_id, fmt::format("release: {}", e.what()));  // no-op when already recorded
      Item failed = item_of(r, Outcome::failed, why[r.id], e.what());
      failed.unavailable = unreachable(e);
      report.items.push_back(std::move(failed));
    } catch (const Error& e) {
      // A held ledger lock ends the run (exit 75; the claim goes stale and is taken over later);
      // anything else (a scratch directory that cannot be removed) fails this resource only.
      if (e.exit() == util::Exit::temp) throw;
      ledger_.fail_release(r.id, claim_id, fmt::format("release: {}", e.what()));
      report.items.push_back(item_of(r, Outcome::failed, why[r.id], e.what()));
    }
  }
}

Report Reaper::reap(const Selection& s) {
  Report report;
  report.dry_run = options_.dry_run;
  std::vector<Candidate> candidates;
  select_document(s, candidates, report);
  for (const auto& run : s.run_ids)
    for (const auto& r : ledger_.of_run(run)) candidates.push_back({r.id, "run"});
  if (s.expired)
    for (const auto& r : ledger_.expired()) candidates.push_back({r.id, "expired"});
  if (s.orphans) select_orphans(s, candidates, report);
  if (options_.dry_run) {
    std::set<std::string> seen;
    for (const auto& c : candidates)
      if (seen.insert(c.id).second)
        if (auto row = ledger_.get(c.id)) report.items.push_back(item_of(*row, Outcome::would_release, c.why));
  } else {
    release(candidates, report);
  }
  std::sort(report.items.begin(), report.items.end(), [](const Item& a, const Item& b) {
    return std::tie(a.id, a.provider, a.provider_id) < std::tie(b.id, b.provider, b.provider_id);
  });
  return report;
}

}  // namespace wf::reap
