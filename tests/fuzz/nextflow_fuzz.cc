// Nextflow trace files (history::parse_nextflow_trace): tab- or comma-separated, human or raw
// units. Every row it returns must be a valid history row (find_problem() finds nothing).
#include <string>

#include "fuzz.h"
#include "history/import_nextflow.h"

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  wf::fuzz::quiet_diagnostics();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  wf::fuzz::guarded([&] {
    auto parsed = wf::history::parse_nextflow_trace(wf::fuzz::text(data, size), "trace.txt");
    for (const auto& row : parsed.rows)
      if (auto problem = wf::history::find_problem(row)) wf::fuzz::broken("an invalid row is returned: " + *problem);
  });
  return 0;
}
