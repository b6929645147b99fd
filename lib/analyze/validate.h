#pragma once
// Is the DAG sound? Duplicate ids, unknown or self dependencies (with a did-you-mean), cycles
// (printed as the cycle itself: a -> b -> c -> a), placeholders naming no param.
#include <optional>

#include "io/diagnostics.h"
#include "io/document.h"
#include "model/dag.h"

namespace wf::analyze {

// Reports every problem to `diags` (pointers from doc.task_pointer). Returns the DAG when the
// workflow is sound.
std::optional<model::Dag> validate(const io::Document& doc, io::Diagnostics& diags);

// validate, then throw wf::Errors (exit 65) on any problem found while reading or validating;
// the DAG of a sound workflow.
model::Dag checked_dag(io::Document& doc);

}  // namespace wf::analyze
