// A user's own price catalog in YAML (plan::parse_catalog_yaml). A catalog that reads must hold
// the invariants catalog.h states, and merge with itself to itself.
#include <string>

#include "catalog_check.h"

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  wf::fuzz::quiet_diagnostics();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text = wf::fuzz::text(data, size);
  wf::fuzz::guarded([&] { wf::fuzz::check_catalog(wf::plan::parse_catalog_yaml(text, "catalog.yaml")); });
  return 0;
}
