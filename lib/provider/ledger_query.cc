// Ledger reads, and the reaper's side: claims, release outcomes, orphans.
#include "provider/ledger_impl.h"
#include "provider/provision_claim.h"

namespace wf::provider {

Resource read_resource(const sql::Stmt& row) {
  Resource r;
  r.id = row.text(0);
  r.provider = row.text(1);
  r.kind = row.text(2);
  r.spec_json = row.text(3);
  r.provider_id = row.text(4);
  r.run_id = row.text(5);
  r.created_s = row.real(6);
  r.ttl_s = row.opt_real(7);
  r.heartbeat_s = row.opt_real(8);
  // The CHECK constraint admits only known states.
  r.state = parse_state(row.text(9)).value_or(State::failed);
  r.error = row.text(10);
  r.detail_json = row.text(11);
  r.claim = row.text(12);
  r.claimed_s = row.opt_real(13);
  r.updated_s = row.real(14);
  return r;
}

namespace {

std::vector<Resource> query_rows(Ledger& ledger, std::string_view what, const std::string& where,
                             std::initializer_list<std::string_view> params, std::optional<double> number = {}) {
  std::vector<Resource> rows;
  ledger.read(what, [&](sql::Db& db) {
    rows.clear();
    sql::Stmt q(db, fmt::format("SELECT {} FROM resources {} ORDER BY id", kResourceColumns, where));
    int i = 1;
    for (std::string_view p : params) q.bind(i++, p);
    if (number) q.bind(i, *number);
    while (q.step()) rows.push_back(read_resource(q));
  });
  return rows;
}

}  // namespace

std::optional<Resource> Ledger::get(std::string_view id) {
  auto rows = query_rows(*this, "cannot read a resource", "WHERE id = ?1", {id});
  if (rows.empty()) return std::nullopt;
  return rows.front();
}

std::vector<Resource> Ledger::all() { return query_rows(*this, "cannot list resources", "", {}); }

std::vector<Resource> Ledger::live() {
  return query_rows(*this, "cannot list resources", "WHERE state != 'released'", {});
}

std::vector<Resource> Ledger::of_run(std::string_view run_id) {
  return query_rows(*this, "cannot list a run's resources", "WHERE run_id = ?1 AND state != 'released'", {run_id});
}

std::vector<Resource> Ledger::expired() {
  return query_rows(*this, "cannot list expired resources",
                "WHERE state != 'released' AND expires_s IS NOT NULL AND expires_s < ?1", {}, impl_->clock->wall());
}

std::vector<std::string> Ledger::providers() {
  std::vector<std::string> names;
  read("cannot list providers", [&](sql::Db& db) {
    names.clear();
    sql::Stmt q(db, "SELECT DISTINCT provider FROM resources ORDER BY provider");
    while (q.step()) names.push_back(q.text(0));
  });
  return names;
}

bool Ledger::holds(std::string_view provider, std::string_view provider_id, std::string_view key) {
  bool found = false;
  read("cannot look a resource up", [&](sql::Db& db) {
    sql::Stmt q(db,
                "SELECT 1 FROM resources WHERE provider = ?1 AND state != 'released' "
                "AND ((?2 != '' AND provider_id = ?2) OR (?3 != '' AND id = ?3)) LIMIT 1");
    q.bind(1, provider).bind(2, provider_id).bind(3, key);
    found = q.step();
  });
  return found;
}

std::vector<Claimed> Ledger::claim(std::span<const std::string> ids, std::string_view claim_id, double stale_claim_s) {
  std::vector<std::string> sorted(ids.begin(), ids.end());
  std::sort(sorted.begin(), sorted.end());
  sorted.erase(std::unique(sorted.begin(), sorted.end()), sorted.end());
  std::vector<Claimed> claimed;
  impl_->retry.write("cannot claim resources", [&] {
    claimed.clear();
    double now = impl_->clock->wall();
    sql::Stmt row(impl_->db, fmt::format("SELECT {} FROM resources WHERE id = ?1", kResourceColumns));
    sql::Stmt take(impl_->db,
                   "UPDATE resources SET state = 'releasing', claim = ?1, claimed_s = ?2, updated_s = ?2 WHERE id = ?3");
    for (const auto& id : sorted) {
      row.reset();
      row.bind(1, id);
      if (!row.step()) continue;
      Resource r = read_resource(row);
      row.reset();
      if (r.state == State::released) continue;
      bool stale = r.state == State::releasing &&
                   ((r.claimed_s && *r.claimed_s + stale_claim_s < now) || claim_holder_gone(r.claim));
      if (r.state == State::releasing && !stale) continue;
      take.reset();
      take.bind(1, claim_id).bind(2, now).bind(3, id);
      take.run();
      State previous = r.state;
      r.state = State::releasing;
      r.claim = std::string(claim_id);
      r.claimed_s = now;
      claimed.push_back({std::move(r), previous});
    }
  });
  return claimed;
}

bool Ledger::finish_release(std::string_view id, std::string_view claim_id, std::string_view note) {
  return impl_->update("cannot record a release",
                       "UPDATE resources SET state = 'released', error = ?4, claim = '', updated_s = ?1 "
                       "WHERE id = ?2 AND claim = ?3 AND state = 'releasing'",
                       {id, claim_id, note}) == 1;
}

bool Ledger::fail_release(std::string_view id, std::string_view claim_id, std::string_view error) {
  return impl_->update("cannot record a failed release",
                       "UPDATE resources SET state = 'failed', error = ?4, claim = '', claimed_s = NULL, updated_s = ?1 "
                       "WHERE id = ?2 AND claim = ?3 AND state = 'releasing'",
                       {id, claim_id, error}) == 1;
}

std::string Ledger::record_orphan(std::string_view provider, std::string_view kind, std::string_view provider_id,
                                  std::string_view detail_json) {
  std::string id = new_resource_id();
  impl_->update("cannot record an orphan",
                "INSERT INTO resources (id, provider, kind, provider_id, detail, created_s, state, updated_s) "
                "VALUES (?2, ?3, ?4, ?5, ?6, ?1, 'orphaned', ?1)",
                {id, provider, kind.empty() ? std::string_view("unknown") : kind, provider_id,
                 detail_json.empty() ? std::string_view("{}") : detail_json});
  return id;
}

}  // namespace wf::provider
