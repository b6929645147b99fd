#include "provider/local_pool.h"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <random>

#include <unistd.h>

#include "history/sqlite.h"
#include "model/units.h"
#include "provider/provider.h"
#include "provider/scratch.h"
#include "util/strings.h"

namespace wf::provider {
namespace {

namespace sql = history::sql;

constexpr std::string_view kLeaseColumns =
    "id, run_id, cpus, mem_bytes, disk_bytes, priority, created_s, heartbeat_s, ttl_s, expires_s, scratch_dir";

// Room is compared with a little slack so that 0.1 + 0.2 cpus fit in 0.3.
constexpr double kSlack = 1e-9;

Lease read_lease(const sql::Stmt& q) {
  Lease l;
  l.id = q.text(0);
  l.run_id = q.text(1);
  l.cpus = q.real(2);
  l.mem_bytes = static_cast<std::uint64_t>(q.integer(3));
  l.disk_bytes = static_cast<std::uint64_t>(q.integer(4));
  l.priority = static_cast<int>(q.integer(5));
  l.created_s = q.real(6);
  l.heartbeat_s = q.real(7);
  l.ttl_s = q.real(8);
  l.expires_s = q.real(9);
  l.scratch_dir = q.text(10);
  return l;
}

std::optional<Lease> find_in(sql::Db& db, std::string_view key) {
  sql::Stmt q(db, fmt::format("SELECT {} FROM leases WHERE id = ?1", kLeaseColumns));
  q.bind(1, key);
  if (!q.step()) return std::nullopt;
  return read_lease(q);
}

// What unexpired leases hold, leaving `except` out (a lease being resized or taken back).
Capacity used_in(sql::Db& db, double now, std::string_view except, size_t* count = nullptr) {
  sql::Stmt q(db, "SELECT total(cpus), total(mem_bytes), total(disk_bytes), count(*) FROM leases "
                  "WHERE expires_s > ?1 AND id != ?2");
  q.bind(1, now).bind(2, except);
  q.step();
  if (count) *count = static_cast<size_t>(q.integer(3));
  return {q.real(0), q.real(1), q.real(2)};
}

// A queued row's effective priority in SQL, the same arithmetic as aged_priority(); ?N is now.
std::string aged_sql(int now_param) {
  return fmt::format("(priority + CASE WHEN aging_s > 0 AND ?{0} > since_s THEN "
                     "CAST(min((?{0} - since_s) / aging_s, 1e15) AS INTEGER) ELSE 0 END)",
                     now_param);
}

// Queued requests ahead of one of effective priority `effective`, queued at `since` (now when it
// is not queued) under `key`: higher effective priority, then older, then smaller id.
size_t waiting_ahead(sql::Db& db, std::string_view key, std::int64_t effective, double since, double now) {
  sql::Stmt q(db, fmt::format("SELECT count(*) FROM (SELECT id, since_s, {} AS eff FROM lease_waiters WHERE id != ?1) "
                              "WHERE eff > ?2 OR (eff = ?2 AND (since_s < ?3 OR (since_s = ?3 AND id < ?1)))",
                              aged_sql(4)));
  q.bind(1, key).bind(2, effective).bind(3, since).bind(4, now);
  q.step();
  return static_cast<size_t>(q.integer(0));
}

// Where `key` stands in the queue: since when, ageing how fast (none: not queued).
struct Place {
  double since_s;
  double aging_s;
};

std::optional<Place> queued_place(sql::Db& db, std::string_view key) {
  sql::Stmt q(db, "SELECT since_s, aging_s FROM lease_waiters WHERE id = ?1");
  q.bind(1, key);
  if (!q.step()) return std::nullopt;
  return Place{q.real(0), q.real(1)};
}

bool fits(const Capacity& used, double cpus, double mem, double disk, const Capacity& cap) {
  return used.cpus + cpus <= cap.cpus + kSlack && used.mem_bytes + mem <= cap.mem_bytes + kSlack &&
         used.disk_bytes + disk <= cap.disk_bytes + kSlack;
}

std::string room(const Capacity& c) {
  return fmt::format("{} cpus, {} memory, {} disk", util::format_number(c.cpus), model::format_bytes(c.mem_bytes),
                     model::format_bytes(c.disk_bytes));
}

Capacity free_of(const Capacity& cap, const Capacity& used) {
  return {std::max(0.0, cap.cpus - used.cpus), std::max(0.0, cap.mem_bytes - used.mem_bytes),
          std::max(0.0, cap.disk_bytes - used.disk_bytes)};
}

void validate(const LeaseRequest& r) {
  if (!(r.cpus >= 0) || !std::isfinite(r.cpus))
    fail(util::Exit::data, "local: a lease needs a finite, non-negative cpu count (got {})", r.cpus);
  if (r.cpus == 0 && r.mem_bytes == 0 && r.disk_bytes == 0)
    fail(util::Exit::data, "local: a lease of nothing (0 cpus, 0 memory, 0 disk) was asked for");
  if (!(r.ttl_s > 0)) fail(util::Exit::data, "local: a lease needs a positive TTL (got {})", r.ttl_s);
  if (r.wait_s && !(*r.wait_s >= 0)) fail(util::Exit::data, "local: a negative wait ({}s) was asked for", *r.wait_s);
  if (r.aging_s && (!(*r.aging_s >= 0) || !std::isfinite(*r.aging_s)))
    fail(util::Exit::data, "local: a lease's aging needs a finite, non-negative period (got {}s)", *r.aging_s);
}

void renew_rows(sql::Db& db, std::string_view key, double now) {
  sql::Stmt lease(db, "UPDATE leases SET heartbeat_s = ?1, expires_s = ?1 + ttl_s WHERE id = ?2");
  lease.bind(1, now).bind(2, key);
  lease.run();
  sql::Stmt row(db, "UPDATE resources SET heartbeat_s = ?1, updated_s = ?1, expires_s = ?1 + ttl_s "
                    "WHERE id = ?2 AND ttl_s IS NOT NULL AND state NOT IN ('released','releasing')");
  row.bind(1, now).bind(2, key);
  row.run();
}

}  // namespace

std::int64_t aged_priority(int priority, double waited_s, double aging_s) {
  if (!(aging_s > 0) || !(waited_s > 0)) return priority;
  return priority + static_cast<std::int64_t>(std::min(waited_s / aging_s, 1e15));
}

LocalPool::LocalPool(Ledger& ledger, PoolConfig config, HostProbe& host)
    : ledger_(ledger), config_(std::move(config)), host_(host), signal_(pool_signal_path(ledger.path())) {}

Capacity LocalPool::capacity() const {
  double disk = 0;
  if (!config_.scratch_root.empty())
    disk = std::max(0.0, static_cast<double>(host_.free_disk_bytes(config_.scratch_root)) -
                             static_cast<double>(config_.reserve_disk_bytes));
  return {std::max(0.0, host_.cpus() - config_.reserve_cpus),
          std::max(0.0, static_cast<double>(host_.mem_bytes()) - static_cast<double>(config_.reserve_mem_bytes)), disk};
}

std::string LocalPool::scratch_path(std::string_view key) const {
  return (std::filesystem::absolute(config_.scratch_root).lexically_normal() / std::string(key)).string();
}

std::optional<Lease> LocalPool::try_take(std::string_view key, const LeaseRequest& r, bool queue) {
  validate(r);
  Capacity cap = capacity();
  std::optional<Lease> taken;
  bool was_queued = false;
  ledger_.write("cannot take a lease", [&](sql::Db& db, double now) {
    was_queued = false;
    taken = find_in(db, key);
    if (taken) return;
    sql::Stmt stale(db, "DELETE FROM lease_waiters WHERE seen_s < ?1");
    stale.bind(1, now - config_.stale_waiter_s);
    stale.run();
    auto place = queued_place(db, key);
    double since = place ? place->since_s : now;
    std::int64_t effective = place ? aged_priority(r.priority, now - since, place->aging_s) : r.priority;
    bool room = fits(used_in(db, now, key), r.cpus, static_cast<double>(r.mem_bytes), static_cast<double>(r.disk_bytes), cap);
    if (room && waiting_ahead(db, key, effective, since, now) == 0) {
      Lease l{std::string(key), r.run_id, r.cpus, r.mem_bytes, r.disk_bytes, r.priority, now, now, r.ttl_s,
              now + r.ttl_s, r.disk_bytes > 0 ? scratch_path(key) : ""};
      sql::Stmt ins(db, fmt::format("INSERT INTO leases ({}) VALUES (?,?,?,?,?,?,?,?,?,?,?)", kLeaseColumns));
      ins.bind(1, l.id).bind(2, l.run_id).bind(3, l.cpus).bind(4, static_cast<std::int64_t>(l.mem_bytes));
      ins.bind(5, static_cast<std::int64_t>(l.disk_bytes)).bind(6, l.priority).bind(7, now).bind(8, now);
      ins.bind(9, l.ttl_s).bind(10, l.expires_s).bind(11, l.scratch_dir);
      ins.run();
      sql::Stmt unqueue(db, "DELETE FROM lease_waiters WHERE id = ?1");
      unqueue.bind(1, key);
      unqueue.run();
      was_queued = unqueue.changes() > 0;
      taken = l;
    } else if (queue) {
      sql::Stmt q(db, "INSERT INTO lease_waiters (id, priority, since_s, seen_s, cpus, mem_bytes, disk_bytes, aging_s) "
                      "VALUES (?1,?2,?3,?3,?4,?5,?6,?7) ON CONFLICT (id) DO UPDATE SET seen_s = excluded.seen_s");
      q.bind(1, key).bind(2, r.priority).bind(3, now).bind(4, r.cpus);
      q.bind(5, static_cast<std::int64_t>(r.mem_bytes)).bind(6, static_cast<std::int64_t>(r.disk_bytes));
      q.bind(7, r.aging_s.value_or(config_.aging_s));
      q.run();
      // A waiting creator is alive: its ledger row must not expire under it (wait_s > ttl_s).
      sql::Stmt alive(db, "UPDATE resources SET heartbeat_s = ?1, expires_s = ?1 + ttl_s "
                          "WHERE id = ?2 AND state = 'creating' AND ttl_s IS NOT NULL");
      alive.bind(1, now).bind(2, key);
      alive.run();
    }
  });
  if (was_queued) signal_.notify();  // the next in the queue may fit in what is left
  return taken;
}

void LocalPool::leave_queue(std::string_view key) {
  ledger_.write("cannot leave the lease queue", [&](sql::Db& db, double) {
    sql::Stmt q(db, "DELETE FROM lease_waiters WHERE id = ?1");
    q.bind(1, key);
    q.run();
  });
  signal_.notify();
}

Lease LocalPool::take(std::string_view key, const LeaseRequest& r) {
  validate(r);
  Capacity cap = capacity();
  if (r.cpus > cap.cpus + kSlack || static_cast<double>(r.mem_bytes) > cap.mem_bytes + kSlack)
    throw ProviderError(ProviderError::Kind::permanent, "too_large",
                        fmt::format("local: {} cpus and {} memory can never fit: the pool holds {}",
                                    util::format_number(r.cpus), model::format_bytes(static_cast<double>(r.mem_bytes)),
                                    room(cap)),
                        true);
  if (r.disk_bytes > 0 && config_.scratch_root.empty())
    fail(util::Exit::usage, "local: a lease with disk needs a scratch root");
  util::Clock& clock = ledger_.clock();
  double deadline = clock.monotonic() + r.wait_s.value_or(0);
  double pause = config_.poll_initial_s;
  if (r.wait_s && config_.wakeups) signal_.arm();
  std::mt19937_64 rng(static_cast<std::uint64_t>(getpid()) * 0x9E3779B97F4A7C15ULL ^ std::hash<std::string_view>{}(key));
  while (true) {
    if (auto lease = try_take(key, r, r.wait_s.has_value())) {
      if (lease->disk_bytes > 0 && !std::filesystem::exists(lease->scratch_dir)) {
        try {
          make_scratch_dir(config_.scratch_root, key);
        } catch (const Error&) {
          drop(key);
          throw;
        }
      }
      return *lease;
    }
    double left = deadline - clock.monotonic();
    if (left <= 0) break;
    std::uniform_real_distribution<double> jitter(0.75, 1.25);
    signal_.wait(std::min(left, pause * jitter(rng)), clock);
    pause = std::min(pause * 1.5, config_.poll_max_s);
  }
  leave_queue(key);
  PoolStatus s = status();
  throw ProviderError(ProviderError::Kind::retryable, "pool_full",
                      fmt::format("local: no room for {} cpus, {} memory, {} disk{} (free: {}; {} leases held, {} "
                                  "requests waiting)",
                                  util::format_number(r.cpus), model::format_bytes(static_cast<double>(r.mem_bytes)),
                                  model::format_bytes(static_cast<double>(r.disk_bytes)),
                                  r.wait_s ? fmt::format(" after waiting {}s", util::format_number(*r.wait_s)) : "",
                                  room(free_of(s.capacity, s.used)), s.leases, s.waiting),
                      true);
}

Lease LocalPool::renew(std::string_view key) {
  Capacity cap = capacity();
  Lease lease;
  ledger_.write("cannot renew a lease", [&](sql::Db& db, double now) {
    auto found = find_in(db, key);
    sql::Stmt state(db, "SELECT state FROM resources WHERE id = ?1");
    state.bind(1, key);
    bool reaped = state.step() && (state.text(0) == "released" || state.text(0) == "releasing");
    if (!found || reaped)
      throw ProviderError(ProviderError::Kind::permanent, "not_found",
                          fmt::format("local: lease {} is gone: it was released or reaped", key));
    if (found->expires_s <= now) {
      bool room = fits(used_in(db, now, key), found->cpus, static_cast<double>(found->mem_bytes),
                       static_cast<double>(found->disk_bytes), cap);
      if (!room || waiting_ahead(db, key, found->priority, now, now) > 0)
        throw ProviderError(ProviderError::Kind::retryable, "expired",
                            fmt::format("local: lease {} expired at {} and its capacity has been taken", key,
                                        util::iso8601(found->expires_s)));
    }
    renew_rows(db, key, now);
    lease = *find_in(db, key);
  });
  return lease;
}

Lease LocalPool::resize(std::string_view key, double cpus, std::uint64_t mem_bytes, std::uint64_t disk_bytes) {
  LeaseRequest shape;
  shape.cpus = cpus;
  shape.mem_bytes = mem_bytes;
  shape.disk_bytes = disk_bytes;
  validate(shape);
  Capacity cap = capacity();
  Lease lease;
  ledger_.write("cannot resize a lease", [&](sql::Db& db, double now) {
    auto found = find_in(db, key);
    if (!found)
      throw ProviderError(ProviderError::Kind::permanent, "not_found", fmt::format("local: no lease {}", key));
    bool grows = cpus > found->cpus || mem_bytes > found->mem_bytes || disk_bytes > found->disk_bytes;
    if (grows && (!fits(used_in(db, now, key), cpus, static_cast<double>(mem_bytes), static_cast<double>(disk_bytes), cap) ||
                  waiting_ahead(db, key, found->priority, now, now) > 0))
      throw ProviderError(ProviderError::Kind::retryable, "pool_full",
                          fmt::format("local: no room to grow lease {} to {} cpus, {} memory, {} disk", key,
                                      util::format_number(cpus), model::format_bytes(static_cast<double>(mem_bytes)),
                                      model::format_bytes(static_cast<double>(disk_bytes))));
    std::string dir = disk_bytes > 0 && found->scratch_dir.empty() ? scratch_path(key) : found->scratch_dir;
    sql::Stmt q(db, "UPDATE leases SET cpus = ?1, mem_bytes = ?2, disk_bytes = ?3, scratch_dir = ?4 WHERE id = ?5");
    q.bind(1, cpus).bind(2, static_cast<std::int64_t>(mem_bytes)).bind(3, static_cast<std::int64_t>(disk_bytes));
    q.bind(4, dir).bind(5, key);
    q.run();
    lease = *find_in(db, key);
  });
  if (lease.disk_bytes > 0) make_scratch_dir(config_.scratch_root, key);
  signal_.notify();
  return lease;
}

bool LocalPool::drop(std::string_view key) {
  auto lease = find(key);
  std::string dir = lease && !lease->scratch_dir.empty() ? lease->scratch_dir
                    : config_.scratch_root.empty()       ? std::string()
                                                         : scratch_path(key);
  bool had_dir = !dir.empty() && remove_scratch_dir(dir);
  bool had_lease = false;
  ledger_.write("cannot release a lease", [&](sql::Db& db, double) {
    sql::Stmt q(db, "DELETE FROM leases WHERE id = ?1");
    q.bind(1, key);
    q.run();
    had_lease = q.changes() > 0;
    sql::Stmt w(db, "DELETE FROM lease_waiters WHERE id = ?1");
    w.bind(1, key);
    w.run();
  });
  signal_.notify();
  return had_lease || had_dir;
}

std::optional<Lease> LocalPool::find(std::string_view key) {
  std::optional<Lease> lease;
  ledger_.read("cannot read a lease", [&](sql::Db& db) { lease = find_in(db, key); });
  return lease;
}

std::vector<Lease> LocalPool::leases() {
  std::vector<Lease> all;
  ledger_.read("cannot list leases", [&](sql::Db& db) {
    all.clear();
    sql::Stmt q(db, fmt::format("SELECT {} FROM leases ORDER BY id", kLeaseColumns));
    while (q.step()) all.push_back(read_lease(q));
  });
  return all;
}

std::vector<Waiter> LocalPool::queue() {
  std::vector<Waiter> all;
  ledger_.read("cannot list the lease queue", [&](sql::Db& db) {
    all.clear();
    double now = ledger_.clock().wall();
    sql::Stmt q(db, fmt::format("SELECT id, priority, since_s, aging_s, {} AS eff, cpus, mem_bytes, disk_bytes "
                                "FROM lease_waiters WHERE seen_s >= ?2 ORDER BY eff DESC, since_s, id",
                                aged_sql(1)));
    q.bind(1, now).bind(2, now - config_.stale_waiter_s);
    while (q.step())
      all.push_back({q.text(0), static_cast<int>(q.integer(1)), q.real(2), q.real(3), q.integer(4), q.real(5),
                     static_cast<std::uint64_t>(q.integer(6)), static_cast<std::uint64_t>(q.integer(7))});
  });
  return all;
}

PoolStatus LocalPool::status() {
  PoolStatus s;
  s.capacity = capacity();
  ledger_.read("cannot read the pool", [&](sql::Db& db) {
    double now = ledger_.clock().wall();
    s.used = used_in(db, now, "", &s.leases);
    sql::Stmt expired(db, "SELECT count(*) FROM leases WHERE expires_s <= ?1");
    expired.bind(1, now);
    expired.step();
    s.expired = static_cast<size_t>(expired.integer(0));
    sql::Stmt waiting(db, "SELECT count(*) FROM lease_waiters WHERE seen_s >= ?1");
    waiting.bind(1, now - config_.stale_waiter_s);
    waiting.step();
    s.waiting = static_cast<size_t>(waiting.integer(0));
  });
  return s;
}

}  // namespace wf::provider
