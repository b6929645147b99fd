#pragma once
// The nodes of a partition and pre-warming: powering up power-saved (cloud) nodes before a run's
// jobs are submitted. A batch job that lands on a node slurmctld is still resuming starts only on
// slurmctld's next periodic pass (up to 30 s later, fixed at compile time); a node that is already
// idle when the job arrives takes it at once. So wf powers up what the forecast needs, waits until
// those nodes are idle, then submits.
#include <cstdint>
#include <string>
#include <vector>

#include "run/slurm_client.h"
#include "run/slurm_wait.h"
#include "util/clock.h"

namespace wf::run {

struct SlurmNode {
  std::string name;
  int cpus = 0;
  uint64_t mem_bytes = 0;  // RealMemory
  std::string state;       // scontrol's State, e.g. IDLE+CLOUD+POWERED_DOWN

  bool has(std::string_view flag) const;  // one '+'-separated word of the state
  bool powered_down() const;   // off, and no power-up asked for
  bool powering_up() const;    // asked to power up, or booting
  bool powering_down() const;  // on its way down (a power-up now would be ignored)
  bool unusable() const;       // down, drained, failing, not responding (and not booting)
  bool up() const;             // none of the above: takes jobs now
};

// The nodes of `partition` (scontrol show node), by name.
std::vector<SlurmNode> partition_nodes(SlurmClient& client, const std::string& partition);

// The cluster's default partition (scontrol show partition: Default=YES); "" when none is marked.
std::string default_partition(SlurmClient& client);

// Which nodes to power up so that `cpus` and `mem_bytes` fit on nodes that are up: the nodes needed
// (each resource rounded up to whole nodes of the partition's typical size, the largest node
// counting first), less those already up or powering up, taken from the powered-down nodes (by
// name), then from those powering down (they are asked once they are down).
std::vector<std::string> nodes_to_power_up(const std::vector<SlurmNode>& nodes, double cpus, double mem_bytes);

struct PrewarmResult {
  std::vector<std::string> nodes;  // asked to power up
  double waited_s = 0;
  bool ready = false;  // every one of them idle before the timeout
  int signal = 0;      // a stop signal that ended the wait
};

// Powers up nodes_to_power_up() and waits (polling every poll_s) until they, and any node of the
// partition already powering up, are up, at most timeout_s. Never throws for a node that does not
// come up: the jobs are submitted anyway.
PrewarmResult prewarm(SlurmClient& client, StopWaiter& waiter, util::Clock& clock, const std::string& partition,
                      double cpus, double mem_bytes, double timeout_s = 90, double poll_s = 0.5);

}  // namespace wf::run
