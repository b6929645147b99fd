#include "provider/ledger.h"

#include <algorithm>
#include <cctype>
#include <filesystem>

#include <rapidjson/document.h>

#include "provider/ledger_impl.h"
#include "provider/ledger_schema.h"
#include "provider/paths.h"

namespace wf::provider {
namespace {

bool in_memory(const std::string& path) { return path == ":memory:" || path.empty(); }

sql::Db open_db(const std::string& path, bool create) {
  if (!in_memory(path)) {
    if (create) {
      prepare_private_file(path);
    } else {
      std::error_code ec;
      if (!std::filesystem::exists(path, ec)) fail(util::Exit::no_input, "{}: no such ledger", path);
    }
  }
  return sql::Db(path, create);
}

bool is_json_object(std::string_view text) {
  rapidjson::Document d;
  d.Parse(text.data(), text.size());
  return !d.HasParseError() && d.IsObject();
}

}  // namespace

bool is_run_id(std::string_view id) {
  if (id.empty() || id.size() > 200 || id.front() == '.' || id.front() == '-' || id.find("..") != std::string_view::npos) return false;
  return std::all_of(id.begin(), id.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || std::string_view("._:@+=,-").find(c) != std::string_view::npos;
  });
}

namespace {

// `text` for a one-line message: control characters as '?', at most 60 characters.
std::string printable(std::string_view text) {
  std::string out(text.substr(0, 60));
  for (char& c : out)
    if (std::iscntrl(static_cast<unsigned char>(c))) c = '?';
  return text.size() > 60 ? out + "..." : out;
}

void validate(const Intent& in, const std::string& path) {
  if (in.provider.empty()) fail(util::Exit::data, "{}: a resource needs a provider", path);
  if (!in.run_id.empty() && !is_run_id(in.run_id))
    fail(util::Exit::data, "{}: '{}' is not a run id (letters, digits and ._:@+=,- not leading with . or -, at most 200)",
         path, printable(in.run_id));
  if (!is_known_kind(in.kind))
    fail(util::Exit::data, "{}: unknown resource kind '{}' (known: {})", path, in.kind, kind_list());
  if (!is_json_object(in.spec_json))
    fail(util::Exit::data, "{}: the spec of a {} resource is not a JSON object: {}", path, in.kind, in.spec_json);
  if (in.ttl_s && !(*in.ttl_s > 0))
    fail(util::Exit::data, "{}: a TTL must be positive (got {})", path, *in.ttl_s);
  if (!in.id.empty() && !is_resource_id(in.id))
    fail(util::Exit::data, "{}: '{}' is not a resource id (res- and 16 hex digits)", path, in.id);
}

}  // namespace

Ledger::Impl::Impl(const std::string& path, const LedgerOptions& opts)
    : options(opts),
      clock(opts.clock ? opts.clock : &util::real_clock()),
      db(open_db(path, opts.create)),
      retry(db, *clock, opts.jitter_seed,
            {.lock_timeout_s = opts.lock_timeout_s, .max_backoff_s = 0.5, .noun = "ledger"}) {
  sql::open_shared(db, retry,
                   {.busy_timeout_ms = options.busy_timeout_ms,
                    .pragmas = "",
                    .migrate_what = "cannot migrate the ledger",
                    .migrate = migrate_ledger});
}

Ledger::Ledger(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Ledger::~Ledger() = default;
Ledger::Ledger(Ledger&&) noexcept = default;
Ledger& Ledger::operator=(Ledger&&) noexcept = default;

Ledger Ledger::open(const std::string& path, const LedgerOptions& options) {
  return Ledger(std::make_unique<Impl>(path, options));
}

const std::string& Ledger::path() const { return impl_->db.path(); }
util::Clock& Ledger::clock() const { return *impl_->clock; }

void Ledger::write(std::string_view what, const std::function<void(sql::Db&, double)>& body) {
  impl_->retry.write(what, [&] { body(impl_->db, impl_->clock->wall()); });
}

void Ledger::read(std::string_view what, const std::function<void(sql::Db&)>& body) {
  impl_->retry(what, [&] { body(impl_->db); });
}

std::vector<std::string> Ledger::record_intents(std::span<const Intent> intents) {
  for (const Intent& in : intents) validate(in, path());
  std::vector<std::string> ids;
  for (const Intent& in : intents) ids.push_back(in.id.empty() ? new_resource_id() : in.id);
  impl_->retry.write("cannot record an intent", [&] {
    double now = impl_->clock->wall();
    sql::Stmt q(impl_->db,
                "INSERT INTO resources (id, provider, kind, spec, run_id, created_s, ttl_s, expires_s, state, "
                "updated_s) VALUES (?,?,?,?,?,?,?,?,'intent',?)");
    for (size_t i = 0; i < intents.size(); ++i) {
      const Intent& in = intents[i];
      q.reset();
      q.bind(1, ids[i]).bind(2, in.provider).bind(3, in.kind).bind(4, in.spec_json).bind(5, in.run_id);
      q.bind(6, now).bind(7, in.ttl_s);
      q.bind(8, in.ttl_s ? std::optional<double>(now + *in.ttl_s) : std::nullopt).bind(9, now);
      q.run();
    }
  });
  return ids;
}

std::string Ledger::record_intent(const Intent& intent) { return record_intents(std::span(&intent, 1)).front(); }

bool Ledger::mark_creating(std::string_view id) {
  return impl_->update("cannot mark a resource creating",
                       "UPDATE resources SET state = 'creating', updated_s = ?1 WHERE id = ?2 AND state = 'intent'",
                       {id}) == 1;
}

bool Ledger::record_created(std::string_view id, std::string_view provider_id, std::string_view detail_json) {
  bool created = false;
  impl_->retry.write("cannot record a created resource", [&] {
    double now = impl_->clock->wall();
    sql::Stmt q(impl_->db,
                "UPDATE resources SET provider_id = ?1, detail = ?2, updated_s = ?3, error = '', "
                "state = 'active' WHERE id = ?4 AND state = 'creating'");
    q.bind(1, provider_id).bind(2, detail_json.empty() ? "{}" : detail_json).bind(3, now).bind(4, id);
    q.run();
    created = q.changes() == 1;
    if (created) return;
    sql::Stmt lost(impl_->db,
                   "UPDATE resources SET provider_id = ?1, detail = ?2, updated_s = ?3, claim = '', claimed_s = NULL, "
                   "state = 'failed', error = 'claimed for release while being created' WHERE id = ?4");
    lost.bind(1, provider_id).bind(2, detail_json.empty() ? "{}" : detail_json).bind(3, now).bind(4, id);
    lost.run();
  });
  return created;
}

void Ledger::record_failed(std::string_view id, std::string_view error, std::string_view provider_id) {
  impl_->update("cannot record a failed resource",
                "UPDATE resources SET state = 'failed', error = ?3, "
                "provider_id = CASE WHEN ?4 = '' THEN provider_id ELSE ?4 END, updated_s = ?1 "
                "WHERE id = ?2 AND state IN ('intent','creating','active')",
                {id, error, provider_id});
}

void Ledger::record_not_created(std::string_view id, std::string_view error) {
  impl_->update("cannot record a resource not created",
                "UPDATE resources SET state = 'released', error = ?3, updated_s = ?1 "
                "WHERE id = ?2 AND state IN ('intent','creating')",
                {id, error});
}

void Ledger::record_resized(std::string_view id, std::string_view spec_json, std::string_view detail_json) {
  if (!is_json_object(spec_json))
    fail(util::Exit::data, "{}: the new spec of {} is not a JSON object: {}", path(), id, spec_json);
  impl_->update("cannot record a resize",
                "UPDATE resources SET spec = ?3, detail = ?4, updated_s = ?1 WHERE id = ?2",
                {id, spec_json, detail_json.empty() ? std::string_view("{}") : detail_json});
}

size_t Ledger::heartbeat(std::span<const std::string> ids) {
  size_t renewed = 0;
  impl_->retry.write("cannot renew", [&] {
    renewed = 0;
    double now = impl_->clock->wall();
    sql::Stmt q(impl_->db,
                "UPDATE resources SET heartbeat_s = ?1, updated_s = ?1, "
                "expires_s = CASE WHEN ttl_s IS NULL THEN NULL ELSE ?1 + ttl_s END "
                "WHERE id = ?2 AND state NOT IN ('released','releasing')");
    for (const auto& id : ids) {
      q.reset();
      q.bind(1, now).bind(2, id);
      q.run();
      renewed += static_cast<size_t>(q.changes());
    }
  });
  return renewed;
}

std::vector<std::string> Ledger::check() {
  return impl_->retry("cannot check", [&] {
    std::vector<std::string> problems;
    sql::Stmt q(impl_->db, "PRAGMA integrity_check");
    while (q.step())
      if (q.text(0) != "ok") problems.push_back(q.text(0));
    return problems;
  });
}

}  // namespace wf::provider
