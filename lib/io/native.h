#pragma once
// The native workflow format (YAML or JSON; man wf(7)):
//
//   name: nightly-etl
//   params: {date: "2026-11-29", shards: 4}
//   defaults: {cpus: 1, mem: 512MiB, retries: 1, timeout: 1h}
//   priority: 0
//   tasks:                      # a list, or a mapping from id to task
//     - id: extract
//       run: "curl -fsS https://example.org/{{date}}.csv -o raw.csv"   # or an argv list
//       category: extract       # the history key; defaults to the id
//       needs: []               # a string or a list of ids
//       params: {shard: 1}
//       inputs: [raw.csv, {path: ref.fa, size: 3GiB}]
//       outputs: [clean.csv]
//       cpus: 2                 # also 500m
//       mem: 4GiB               # also mem_bytes: 4294967296
//       disk: 10GiB             # disk_bytes
//       net: 100MB/s            # net_bytes_per_s
//       gpus: 0
//       duration: 5m            # expected runtime hint (duration_s)
//       timeout: 1h             # timeout_s
//       priority: 10
//       retries: 2
//
// The normalised form (what the tools write under `workflow:`) is the same format with defaults
// applied, tasks as a list and quantities in base units (mem_bytes, duration_s, ...).
#include <string_view>

#include "io/builder.h"
#include "io/diagnostics.h"
#include "io/json.h"
#include "model/workflow.h"

namespace wf::io {

// Reads the workflow object at `pointer` ("" for a bare file, "/workflow" inside a document).
// Problems go to `diags`; what could be read is returned either way.
model::Workflow read_native(const Json& value, std::string_view pointer, Diagnostics& diags);

// The normalised form. Members of `original` (the workflow object as read) that wf does not know
// are carried over, those of a task to the matching task, so nothing a user wrote is lost on the
// way down the pipe.
Json write_native(const model::Workflow& wf, Alloc& a, const Json* original = nullptr);
// The same, as the next value of a tree being built.
void write_native(Builder& b, const model::Workflow& wf, const Json* original = nullptr);

// The pointer of task `index` within the workflow object (list or mapping form).
std::string task_pointer(const Json& value, std::string_view pointer, size_t index);

}  // namespace wf::io
