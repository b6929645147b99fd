#pragma once
// WfCommons WfFormat instances (schema 1.3, 1.4 and 1.5), read as workflows whose tasks carry what
// the source recorded (runtime, cores, CPU, memory, I/O) — ground truth and history — and written
// back as WfFormat 1.5.
#include "io/diagnostics.h"
#include "io/json.h"
#include "model/workflow.h"

namespace wf::io {

// True when the tree looks like a WfFormat instance (schemaVersion + workflow.{specification|tasks}).
bool is_wfformat(const Json& root);

model::Workflow read_wfformat(const Json& root, Diagnostics& diags);

// A WfFormat 1.5 instance: specification always; execution when every task has a recorded runtime.
Json write_wfformat(const model::Workflow& wf, Alloc& a);

}  // namespace wf::io
