#pragma once
// Keeping a run's resources alive while it runs: wf-run builds one Heartbeat from its document's
// provision section and calls tick() from its loop. A due tick renews the run's local leases
// (LocalPool::renew: lease and ledger row) and heartbeats its other ledger rows, so that none of
// them expires under a live run; a run that dies stops ticking, and its resources expire after
// their TTL (wf-reap --expired). Ticks are due every third of the shortest TTL (at least 1 s, 60 s
// when nothing has a TTL); a tick that is not due costs one clock reading.
#include <string>
#include <vector>

#include "io/json.h"
#include "provider/local_pool.h"

namespace wf::provider {

// The ledger ids a provision section lists (resources[].id), in order; none when it has none.
std::vector<std::string> provision_ids(const io::Json& provision);

class Heartbeat {
 public:
  // `pool` renews the ids that are local leases; null: they only get a ledger heartbeat.
  Heartbeat(Ledger& ledger, LocalPool* pool, std::vector<std::string> ids);

  // Renews when due. Returns one line per resource lost since the last tick (a lease that expired
  // and was given away, a row released by a reaper): it is no longer renewed. A ledger lock that
  // outlasts the ledger's lock timeout is reported the same way, and retried at the next tick.
  std::vector<std::string> tick();
  double interval_s() const { return interval_s_; }
  const std::vector<std::string>& ids() const { return ids_; }

 private:
  Ledger& ledger_;
  LocalPool* pool_;
  std::vector<std::string> ids_;
  std::vector<std::string> local_;  // the ids that are local leases
  double interval_s_ = 60;
  double next_due_ = 0;
};

}  // namespace wf::provider
