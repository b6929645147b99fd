// The normalised native form: defaults applied, tasks as a list, quantities in base units.
#include "io/builder.h"
#include "io/keys.h"
#include "io/native.h"
#include "util/strings.h"

namespace wf::io {
namespace {

// Task keys the reader understands (whether or not the writer emits them under that name);
// every other member of a task is carried over as it is.
const KeySet& understood_task_keys() {
  static const KeySet keys{"id", "run", "needs", "category", "params", "inputs", "outputs", "cpus", "mem_bytes",
                           "disk_bytes", "net_bytes_per_s", "gpus", "duration_s", "timeout_s", "priority",
                           "retries", "recorded", "mem", "disk", "net", "duration", "timeout"};
  return keys;
}
// The same for the workflow ("description" is carried over too, but in its own place).
const KeySet& understood_workflow_keys() {
  static const KeySet keys{"name", "description", "params", "defaults", "priority", "tasks", "source_format",
                           "recorded_makespan_s", "apiVersion"};
  return keys;
}

// The members of `original` that `keys` does not know, copied.
void carry_over(Builder& b, const Json* original, const KeySet& keys) {
  if (!original || !original->IsObject()) return;
  for (const auto& m : original->GetObject())
    if (keys.find(view(m.name)) < 0) {
      b.key_copy(view(m.name));
      b.value(m.value);
    }
}

void params_json(Builder& b, const std::vector<model::Param>& params) {
  b.begin_object();
  for (const auto& p : params) {
    b.key_copy(p.name);
    // A number stays a number only when its text is exactly how it prints ("1.10" stays text).
    if (p.number && util::format_number(*p.number) == p.text) b.number(*p.number);
    else b.string(p.text);
  }
  b.end_object();
}

void strings_json(Builder& b, const std::vector<std::string>& strings) {
  b.begin_array();
  for (const auto& s : strings) b.string(s);
  b.end_array();
}

void files_json(Builder& b, const std::vector<model::File>& files) {
  b.begin_array();
  for (const auto& f : files) {
    if (!f.size_bytes) {
      b.string(f.path);
      continue;
    }
    b.begin_object();
    b.key("path");
    b.string(f.path);
    b.key("size_bytes");
    b.uint(*f.size_bytes);
    b.end_object();
  }
  b.end_array();
}

void recorded_json(Builder& b, const model::Recorded& r) {
  b.begin_object();
  if (r.runtime_s) b.key("runtime_s"), b.number(*r.runtime_s);
  if (r.cores) b.key("cores"), b.number(*r.cores);
  if (r.cpu_percent) b.key("cpu_percent"), b.number(*r.cpu_percent);
  if (r.mem_bytes) b.key("mem_bytes"), b.uint(*r.mem_bytes);
  if (r.read_bytes) b.key("read_bytes"), b.uint(*r.read_bytes);
  if (r.write_bytes) b.key("write_bytes"), b.uint(*r.write_bytes);
  if (r.machine) b.key("machine"), b.string(*r.machine);
  b.end_object();
}

void task_json(Builder& b, const model::Task& t, const Json* original) {
  b.begin_object();
  b.key("id");
  b.string(t.id);
  if (t.run.shell && !t.run.script.empty()) b.key("run"), b.string(t.run.script);
  else if (!t.run.shell) b.key("run"), strings_json(b, t.run.argv);
  if (!t.needs.empty()) b.key("needs"), strings_json(b, t.needs);
  if (t.category != t.id) b.key("category"), b.string(t.category);
  if (!t.params.empty()) b.key("params"), params_json(b, t.params);
  if (!t.inputs.empty()) b.key("inputs"), files_json(b, t.inputs);
  if (!t.outputs.empty()) b.key("outputs"), files_json(b, t.outputs);
  const auto& h = t.hints;
  if (h.cpus) b.key("cpus"), b.number(*h.cpus);
  if (h.mem_bytes) b.key("mem_bytes"), b.uint(*h.mem_bytes);
  if (h.disk_bytes) b.key("disk_bytes"), b.uint(*h.disk_bytes);
  if (h.net_bytes_per_s) b.key("net_bytes_per_s"), b.number(*h.net_bytes_per_s);
  if (h.gpus) b.key("gpus"), b.integer(*h.gpus);
  if (h.duration_s) b.key("duration_s"), b.number(*h.duration_s);
  if (t.timeout_s) b.key("timeout_s"), b.number(*t.timeout_s);
  if (t.priority != 0) b.key("priority"), b.integer(t.priority);
  if (t.retries != 0) b.key("retries"), b.integer(t.retries);
  if (!t.recorded.empty()) b.key("recorded"), recorded_json(b, t.recorded);
  carry_over(b, original, understood_task_keys());
  b.end_object();
}

// The task object of the input that task i was read from (list or mapping form).
const Json* original_task(const Json* tasks_in, size_t i) {
  if (!tasks_in) return nullptr;
  auto index = static_cast<rapidjson::SizeType>(i);
  if (tasks_in->IsArray() && i < tasks_in->Size()) return &(*tasks_in)[index];
  if (tasks_in->IsObject() && i < tasks_in->MemberCount()) return &tasks_in->MemberBegin()[index].value;
  return nullptr;
}

}  // namespace

void write_native(Builder& b, const model::Workflow& wf, const Json* original) {
  b.begin_object();
  if (!wf.name.empty()) b.key("name"), b.string(wf.name);
  if (const Json* d = original ? get(*original, "description") : nullptr) b.key("description"), b.value(*d);
  if (!wf.params.empty()) b.key("params"), params_json(b, wf.params);
  if (wf.priority != 0) b.key("priority"), b.integer(wf.priority);
  b.key("source_format");
  b.string(wf.source_format);
  if (wf.recorded_makespan_s) b.key("recorded_makespan_s"), b.number(*wf.recorded_makespan_s);
  carry_over(b, original, understood_workflow_keys());
  b.key("tasks");
  b.begin_array();
  const Json* tasks_in = original ? get(*original, "tasks") : nullptr;
  for (size_t i = 0; i < wf.tasks.size(); ++i) task_json(b, wf.tasks[i], original_task(tasks_in, i));
  b.end_array();
  b.end_object();
}

Json write_native(const model::Workflow& wf, Alloc& a, const Json* original) {
  return build(a, [&](Builder& b) { write_native(b, wf, original); });
}

}  // namespace wf::io
