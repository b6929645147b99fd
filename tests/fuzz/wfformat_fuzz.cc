// WfFormat instances: read (io::read_wfformat via the document reader), turned into the history
// rows that `wf-history import` records (predict::executions_from_recorded), and written back as
// WfFormat 1.5, which must read back as an instance of the same tasks.
#include <string>

#include "fuzz.h"
#include "history/execution.h"
#include "io/document.h"
#include "io/wfformat.h"
#include "predict/model_recorded.h"

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  wf::fuzz::quiet_diagnostics();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string text(wf::fuzz::text(data, size));
  if (text.find('\0') != std::string::npos) return 0;  // io::read_source refuses such input
  wf::fuzz::guarded([&] {
    auto doc = wf::io::Document::from_source({"fuzz.json", text});
    if (doc.input_kind() != "wfformat") return;
    doc.diagnostics().finish();
    const wf::model::Workflow& wf = doc.workflow();
    for (const auto& row : wf::predict::executions_from_recorded(wf, {"run", "fuzz", "/fuzz.json"}))
      if (auto problem = wf::history::find_problem(row)) return;  // import_wfformat refuses it (exit 65)
    wf::io::JsonDoc out;
    std::string written = wf::io::to_json(wf::io::write_wfformat(wf, out.GetAllocator()));
    try {
      auto again = wf::io::Document::from_source({"rewritten.json", written});
      wf::fuzz::expect(again.input_kind() == "wfformat", "the written instance is not read as WfFormat:\n" + written);
      again.diagnostics().finish();
      wf::fuzz::expect(again.workflow().tasks.size() == wf.tasks.size(), "the written instance has other tasks:\n" + written);
    } catch (const wf::Error& e) {
      wf::fuzz::broken(std::string("the written instance does not read back: ") + e.what() + "\n" + written);
    }
  });
  return 0;
}
