// Price catalogs in CSV (plan::parse_catalog_csv). A catalog that reads must hold the
// invariants catalog.h states, and merge with itself to itself.
#include "catalog_check.h"

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  wf::fuzz::quiet_diagnostics();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  wf::fuzz::guarded([&] { wf::fuzz::check_catalog(wf::plan::parse_catalog_csv(wf::fuzz::text(data, size), "catalog.csv")); });
  return 0;
}
