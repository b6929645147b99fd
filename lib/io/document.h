#pragma once
// The document that flows between the tools (man wf(7)):
//
//   apiVersion: wf/v1
//   workflow:   the input, normalised
//   analysis | prediction | plan | provision | run | reap: one section per stage
//
// Every tool reads one (a document, or a bare workflow / WfFormat instance that it normalises),
// adds its section and writes the whole document. Keys a tool does not know are kept as they are.
#include <memory>
#include <string>
#include <string_view>

#include "io/diagnostics.h"
#include "io/json.h"
#include "io/tree.h"
#include "model/workflow.h"

namespace wf::io {

inline constexpr std::string_view kApiVersion = "wf/v1";

enum class Format { json, yaml };

class Document {
 public:
  // Reads `path` ("-" is stdin). Errors: 66 missing, 65 malformed text or unknown major
  // apiVersion (thrown at once). Problems with fields are kept in diagnostics(), so validation
  // can add its own and every problem of the file is reported in one go: call
  // analyze::checked_dag (or diagnostics().finish()) before using the workflow.
  static Document load(const std::string& path);
  static Document from_source(Source source);

  const model::Workflow& workflow() const { return *workflow_; }
  model::Workflow& mutable_workflow() { return *workflow_; }
  const Locator& locator() const { return *tree_.locator; }
  Diagnostics& diagnostics() { return *diags_; }
  // What the input was: "document", "workflow" (native) or "wfformat".
  const std::string& input_kind() const { return input_kind_; }
  // JSON pointer of task i in the input, for messages.
  const std::string& task_pointer(size_t i) const { return task_pointers_[i]; }

  JsonDoc& root() { return *tree_.root; }
  const Json& root() const { return *tree_.root; }
  Alloc& alloc() { return tree_.root->GetAllocator(); }

  const Json* section(std::string_view name) const { return get(root(), name); }
  // Sets a section, replacing an earlier one of that name (a re-run of a stage).
  void set_section(std::string_view name, Json value);
  // Writes the model back into `workflow` (after a tool changed it, e.g. params overridden).
  void store_workflow();

  std::string serialize(Format format) const;

 private:
  Document() = default;
  Tree tree_;
  std::unique_ptr<model::Workflow> workflow_;
  std::string input_kind_;
  std::vector<std::string> task_pointers_;
  std::unique_ptr<Diagnostics> diags_;
};

}  // namespace wf::io
