#pragma once
// The reaper's report: as the document's reap section, and as a table for people.
//
//   reap:
//     dry_run: false
//     released:      [{id, provider, kind, provider_id, run_id, why, note}]
//     already_gone:  [...]
//     failed:        [{..., error}]
//     skipped:       [...]
//     would_release: [...]        (dry run only)
#include <string>

#include "io/json.h"
#include "reap/reaper.h"

namespace wf::reap {

io::Json report_to_json(const Report& report, io::Alloc& a);

// One line per item: ID PROVIDER KIND PROVIDER-ID RUN OUTCOME NOTE, columns aligned; then a
// summary line. Empty for an empty report.
std::string report_table(const Report& report);

}  // namespace wf::reap
