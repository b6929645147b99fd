#pragma once
// How big a Slurm reservation is, and which nodes a pre-warm powers up. Pure functions over the
// partition's nodes, so the provider's choices are tested without a cluster.
//
// Reservation specs (JSON objects, sizes in base units or strings such as "2GiB"):
//   {"partition": "main", "cpus": 6, "mem_bytes": 8589934592, "duration_s": 3600}   cores
//   {"partition": "main", "nodes": 2, "duration_s": 3600}                           whole nodes
//   optional: "users": "alice,bob" (default: the caller), "start": "now+60" (default: now)
// Cores are reserved on named nodes (nodes=n1,n2 corecnt=4,2: each node's cores filled in name
// order); when the memory asked needs more nodes than the cores do, whole nodes are reserved
// instead (a core reservation holds no memory of its own).
//
// Node specs (kind "node", pre-warming power-saved nodes):
//   {"partition": "cloud", "count": 2}   or   {"partition": "cloud", "cpus": 3, "mem_bytes": ...}
#include <optional>
#include <string>
#include <vector>

#include "io/json.h"
#include "provider/slurm_scontrol.h"

namespace wf::provider {

struct ReservationSpec {
  std::string partition;
  double cpus = 0;
  double mem_bytes = 0;
  std::optional<int> nodes;  // whole nodes asked for
  double duration_s = 3600;
  std::string users;
  std::string start = "now";
};

struct NodeSpec {
  std::string partition;
  std::optional<int> count;
  double cpus = 0, mem_bytes = 0;
};

// ProviderError permanent (nothing created) naming the key for a malformed spec.
ReservationSpec parse_reservation_spec(std::string_view spec_json);
NodeSpec parse_node_spec(std::string_view spec_json);

struct ReservationShape {
  bool whole_nodes = false;
  int node_count = 0;                   // whole nodes
  std::vector<std::string> node_names;  // cores: the nodes, in order ...
  std::vector<int> cores;               // ... and the cores on each
};

// ProviderError permanent (nothing created) when the partition cannot hold it.
ReservationShape shape_reservation(const ReservationSpec& spec, const std::vector<SlurmNodeInfo>& nodes);

// The scontrol words that create (or, for whole nodes, update) a reservation of that shape.
std::vector<std::string> reservation_words(const ReservationShape& shape, const std::string& partition);

// The powered-down nodes of the partition to power up so that `spec` fits on nodes that are up
// or coming up, by name.
std::vector<std::string> nodes_to_warm(const NodeSpec& spec, const std::vector<SlurmNodeInfo>& nodes);

// The reservation a forecast asks for: the prediction's peak reserved cpus and memory (p95) for
// makespan p95 × (1 + margin), at least min_margin_s more. nullopt when the prediction has no peak.
std::optional<std::string> reservation_spec_for(const io::Json& prediction, const std::string& partition,
                                                double margin = 0.25, double min_margin_s = 300);

}  // namespace wf::provider
