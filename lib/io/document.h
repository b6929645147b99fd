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
#include <vector>

#include "io/diagnostics.h"
#include "io/json.h"
#include "io/sink.h"
#include "io/streamed.h"
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
  // JSON pointer of task i in the input, for messages (composed on demand).
  std::string task_pointer(size_t i) const;

  JsonDoc& root() { return *tree_.root; }
  const Json& root() const { return *tree_.root; }
  Alloc& alloc() { return tree_.root->GetAllocator(); }

  const Json* section(std::string_view name) const { return get(root(), name); }
  // Sets a section, replacing an earlier one of that name (a re-run of a stage).
  void set_section(std::string_view name, Json value);
  // Sets the list `key` of the section `name` (set before, a mapping) to `list`, whose items are
  // made only while the document is written (io/streamed.h): a million tasks' entries never sit
  // in memory as a tree. The document then reads, in this process, an empty list there: stream
  // only what no one reads back before writing. `list.make` must stay callable until then.
  void stream_list(std::string_view name, std::string_view key, StreamedList list);
  // Writes the model back into `workflow` (after a tool changed it, e.g. params overridden).
  void store_workflow();

  // The document as text (JSON in the layout of io::to_json, or YAML).
  std::string serialize(Format format) const;
  // The same text, streamed: JSON goes out in chunks and never sits in memory whole.
  void write(Format format, Sink& sink) const;

 private:
  Document() = default;
  // Where the input's tasks are, for task_pointer: their pointer, whether they are a mapping
  // (pointers by id) and, only when some input item was not a task, which item task i was.
  void locate_tasks(const Json* tasks, std::string base);

  Tree tree_;
  std::unique_ptr<model::Workflow> workflow_;
  std::string input_kind_;
  std::string tasks_pointer_;
  bool tasks_by_id_ = false;
  std::vector<uint32_t> task_items_;
  std::unique_ptr<Diagnostics> diags_;
  struct Streamed {
    std::string section, key;
    StreamedList list;
  };
  std::vector<Streamed> streamed_;
  // The placeholders' addresses now (a section's members may have moved since stream_list).
  StreamedLists placeholders() const;
};

}  // namespace wf::io
