#include "io/document.h"

#include "io/diagnostics.h"
#include "io/native.h"
#include "io/wfformat.h"
#include "util/error.h"
#include "util/strings.h"

namespace wf::io {

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
    if (w)
      for (size_t i = 0; i < doc.workflow_->tasks.size(); ++i) doc.task_pointers_.push_back(io::task_pointer(*w, "/workflow", i));
    return doc;
  }
  Alloc& a = root.GetAllocator();
  if (is_wfformat(root)) {
    *doc.workflow_ = read_wfformat(root, diags);
    doc.input_kind_ = "wfformat";
    for (size_t i = 0; i < doc.workflow_->tasks.size(); ++i)
      doc.task_pointers_.push_back(pointer_join("/workflow/specification/tasks", i));
    Json out(rapidjson::kObjectType);
    out.AddMember("apiVersion", str(kApiVersion, a), a);
    out.AddMember("workflow", write_native(*doc.workflow_, a), a);
    static_cast<Json&>(root) = std::move(out);
    return doc;
  }
  *doc.workflow_ = read_native(root, "", diags);
  doc.input_kind_ = "workflow";
  for (size_t i = 0; i < doc.workflow_->tasks.size(); ++i) doc.task_pointers_.push_back(io::task_pointer(root, "", i));
  // The original tree is kept for the unknown keys write_native carries over.
  Json original(root, a);
  Json out(rapidjson::kObjectType);
  out.AddMember("apiVersion", str(kApiVersion, a), a);
  out.AddMember("workflow", write_native(*doc.workflow_, a, &original), a);
  static_cast<Json&>(root) = std::move(out);
  return doc;
}

void Document::set_section(std::string_view name, Json value) { put(root(), name, std::move(value), alloc()); }

void Document::store_workflow() {
  Json original(*get(root(), "workflow"), alloc());
  set_section("workflow", write_native(*workflow_, alloc(), &original));
}

std::string Document::serialize(Format format) const {
  return format == Format::yaml ? to_yaml(root()) : to_json(root());
}

}  // namespace wf::io
