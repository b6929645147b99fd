#include "io/document.h"

#include "io/diagnostics.h"
#include "io/native.h"
#include "io/wfformat.h"
#include "util/error.h"
#include "util/strings.h"

namespace wf::io {
namespace {

// {apiVersion, workflow} in a tree of its own, the workflow normalised from the model with the
// unknown keys of `original` carried over (copied: the input tree is freed right after).
std::unique_ptr<JsonDoc> normalised(const model::Workflow& wf, const Json* original) {
  auto out = std::make_unique<JsonDoc>();
  static_cast<Json&>(*out) = build(out->GetAllocator(), [&](Builder& b) {
    b.begin_object();
    b.key("apiVersion");
    b.string(kApiVersion);
    b.key("workflow");
    write_native(b, wf, original);
    b.end_object();
  });
  return out;
}

}  // namespace

Document Document::load(const std::string& path) { return from_source(read_source(path)); }

Document Document::from_source(Source source) {
  Document doc;
  doc.tree_ = parse_tree(std::move(source));
  JsonDoc& root = *doc.tree_.root;
  doc.diags_ = std::make_unique<Diagnostics>(*doc.tree_.locator);
  Diagnostics& diags = *doc.diags_;
  doc.workflow_ = std::make_unique<model::Workflow>();
  if (!root.IsObject()) {
    diags.error("", fmt::format("expected a workflow, a WfFormat instance or a wf document (a mapping), found {}", type_name(root)));
    diags.finish();
  }
  if (const Json* api = get(root, "apiVersion")) {
    // A document from an earlier stage: the workflow section is already normalised.
    std::string_view v = api->IsString() ? view(*api) : "";
    if (!v.starts_with("wf/v"))
      diags.error("/apiVersion", fmt::format("apiVersion must be '{}', found {}", kApiVersion,
                                             api->IsString() ? fmt::format("'{}'", v) : type_name(*api)));
    else if (v != kApiVersion && !v.starts_with(std::string(kApiVersion) + "."))
      diags.error("/apiVersion", fmt::format("apiVersion '{}' is a major version this wf does not know (it reads {})", v, kApiVersion));
    diags.finish();
    const Json* w = get(root, "workflow");
    if (!w) diags.error("", "the document has no 'workflow' section");
    else *doc.workflow_ = read_native(*w, "/workflow", diags);
    doc.input_kind_ = "document";
    doc.locate_tasks(w ? get(*w, "tasks") : nullptr, "/workflow/tasks");
    return doc;
  }
  if (is_wfformat(root)) {
    *doc.workflow_ = read_wfformat(root, diags);
    doc.input_kind_ = "wfformat";
    doc.tasks_pointer_ = "/workflow/specification/tasks";
    doc.tree_.root = normalised(*doc.workflow_, nullptr);
    return doc;
  }
  *doc.workflow_ = read_native(root, "", diags);
  doc.input_kind_ = "workflow";
  doc.locate_tasks(get(root, "tasks"), "/tasks");
  // The input tree is needed only for the unknown keys; it goes once they are copied.
  doc.tree_.root = normalised(*doc.workflow_, &root);
  return doc;
}

void Document::locate_tasks(const Json* tasks, std::string base) {
  tasks_pointer_ = std::move(base);
  tasks_by_id_ = tasks && tasks->IsObject();
  if (!tasks || !tasks->IsArray() || tasks->Size() == workflow_->tasks.size()) return;
  // read_native skips items that are not mappings (and reports them).
  for (rapidjson::SizeType i = 0; i < tasks->Size(); ++i)
    if ((*tasks)[i].IsObject()) task_items_.push_back(i);
}

std::string Document::task_pointer(size_t i) const {
  if (tasks_by_id_ && i < workflow_->tasks.size()) return pointer_join(tasks_pointer_, workflow_->tasks[i].id);
  return pointer_join(tasks_pointer_, i < task_items_.size() ? task_items_[i] : i);
}

void Document::set_section(std::string_view name, Json value) {
  std::erase_if(streamed_, [&](const Streamed& s) { return s.section == name; });
  put(root(), name, std::move(value), alloc());
}

void Document::stream_list(std::string_view name, std::string_view key, StreamedList list) {
  Json* section = get(root(), name);
  if (!section || !section->IsObject())
    fail(util::Exit::software, "stream_list: the document has no mapping '{}' to hold '{}'", name, key);
  put(*section, key, Json(rapidjson::kArrayType), alloc());
  std::erase_if(streamed_, [&](const Streamed& s) { return s.section == name && s.key == key; });
  streamed_.push_back({std::string(name), std::string(key), std::move(list)});
}

StreamedLists Document::placeholders() const {
  StreamedLists out;
  for (const auto& s : streamed_) {
    const Json* section = get(root(), s.section);
    const Json* at = section ? get(*section, s.key) : nullptr;
    if (at) out.emplace_back(at, &s.list);
  }
  return out;
}

void Document::store_workflow() {
  // The old section is moved aside, not copied: only its unknown keys are read again.
  Json original;
  if (Json* w = get(root(), "workflow")) original.Swap(*w);
  set_section("workflow", write_native(*workflow_, alloc(), &original));
}

std::string Document::serialize(Format format) const {
  StreamedLists lists = placeholders();
  return format == Format::yaml ? to_yaml(root(), &lists) : to_json(root(), true, &lists);
}

void Document::write(Format format, Sink& sink) const {
  StreamedLists lists = placeholders();
  if (format == Format::yaml) write_yaml(root(), sink, &lists);
  else write_json(root(), sink, true, &lists);
}

}  // namespace wf::io
