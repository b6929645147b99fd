// Slurm accounting text (sacct -P), as both of its readers take it: history's import
// (history::parse_sacct, with and without a header) and the Slurm executor's view of finished jobs
// (run::parse_accounting). Rows returned by the import must be valid history rows.
#include <string>

#include "fuzz.h"
#include "history/import_sacct.h"
#include "run/slurm_jobs.h"

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  wf::fuzz::quiet_diagnostics();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text = wf::fuzz::text(data, size);
  wf::fuzz::guarded([&] {
    auto parsed = wf::history::parse_sacct(text, "sacct.txt");
    for (const auto& row : parsed.rows)
      if (auto problem = wf::history::find_problem(row)) wf::fuzz::broken("an invalid row is returned: " + *problem);
  });
  wf::fuzz::guarded([&] { wf::run::parse_accounting(text); });
  return 0;
}
