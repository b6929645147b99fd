#pragma once
// Claim ids name the process that holds a claim, so that a reaper on the same machine can tell at
// once that the holder died (kill -9, a crash) and take its rows over, instead of waiting for the
// claim to go stale (--claim-timeout, 15 minutes by default).
//
//   claim-<boot id, 12 hex>-<pid namespace inode>-<pid>-<process start, clock ticks>-<random hex>
//
// A holder counts as gone only when the claim was made under this boot and in this pid namespace
// (same kernel, same numbering of processes) and no process with that pid and that start time
// exists. Every other claim — another host's, another container's, an id in an older format —
// is judged by its age alone.
#include <optional>
#include <string>
#include <string_view>

#include <sys/types.h>

namespace wf::provider {

// A fresh claim id for this process (see above); unique per call.
std::string new_claim_id();

// Whether the process that made `claim_id` is known to be gone (false when it cannot be told).
bool claim_holder_gone(std::string_view claim_id);

// The start time of process `pid` in clock ticks after boot (/proc/PID/stat, field 22); none when
// there is no such process.
std::optional<unsigned long long> process_start_ticks(pid_t pid);

}  // namespace wf::provider
