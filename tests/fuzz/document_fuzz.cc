// The document reader (io::Document::from_source): a native workflow (YAML or JSON), a wf
// document from an earlier stage, or a WfFormat instance, then validated (analyze::checked_dag)
// as every tool does. A document that reads without error must be written (JSON and YAML) as text
// that reads back without error as the same workflow, and the normalised JSON must be a fixed
// point: read and written again, the same bytes.
#include <string>

#include "analyze/validate.h"
#include "fuzz.h"
#include "io/document.h"

namespace {

using wf::io::Document;
using wf::io::Format;

Document reread(const std::string& text, const char* as) {
  try {
    Document again = Document::from_source({"rewritten", text});
    wf::analyze::checked_dag(again);
    return again;
  } catch (const wf::Error& e) {
    wf::fuzz::broken(std::string("the document written as ") + as + " does not read back: " + e.what() + "\n" + text);
  }
}

void same_tasks(const wf::model::Workflow& a, const wf::model::Workflow& b, const char* as) {
  bool same = a.name == b.name && a.tasks.size() == b.tasks.size();
  for (size_t i = 0; same && i < a.tasks.size(); ++i)
    same = a.tasks[i].id == b.tasks[i].id && a.tasks[i].needs == b.tasks[i].needs &&
           a.tasks[i].category == b.tasks[i].category && a.tasks[i].retries == b.tasks[i].retries;
  wf::fuzz::expect(same, std::string("the document written as ") + as + " reads back as another workflow");
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  wf::fuzz::quiet_diagnostics();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string text(wf::fuzz::text(data, size));
  if (text.find('\0') != std::string::npos) return 0;  // io::read_source refuses such input
  wf::fuzz::guarded([&] {
    Document doc = Document::from_source({"fuzz.yaml", text});
    wf::analyze::checked_dag(doc);
    for (size_t i = 0; i < doc.workflow().tasks.size() && i < 50; ++i) doc.locator().where(doc.task_pointer(i));
    std::string json = doc.serialize(Format::json);
    Document from_json = reread(json, "JSON");
    same_tasks(doc.workflow(), from_json.workflow(), "JSON");
    wf::fuzz::expect(from_json.serialize(Format::json) == json, "the normalised document is not a fixed point:\n" + json);
    Document from_yaml = reread(doc.serialize(Format::yaml), "YAML");
    same_tasks(doc.workflow(), from_yaml.workflow(), "YAML");
  });
  return 0;
}
