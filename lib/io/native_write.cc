// The normalised native form: defaults applied, tasks as a list, quantities in base units.
#include <algorithm>
#include <array>

#include "io/native.h"
#include "util/strings.h"

namespace wf::io {
namespace {

constexpr std::array kWritten = {"id", "run", "needs", "category", "params", "inputs", "outputs", "cpus", "mem_bytes",
                                 "disk_bytes", "net_bytes_per_s", "gpus", "duration_s", "timeout_s", "priority",
                                 "retries", "recorded"};
// Keys the reader understands, whether or not the writer emits them under that name.
constexpr std::array kUnderstood = {"mem", "disk", "net", "duration", "timeout"};

bool carried_over(std::string_view key) {
  return std::find(kWritten.begin(), kWritten.end(), key) == kWritten.end() &&
         std::find(kUnderstood.begin(), kUnderstood.end(), key) == kUnderstood.end();
}

Json params_json(const std::vector<model::Param>& params, Alloc& a) {
  Json obj(rapidjson::kObjectType);
  for (const auto& p : params) {
    // A number stays a number only when its text is exactly how it prints ("1.10" stays text).
    if (p.number && util::format_number(*p.number) == p.text) obj.AddMember(str(p.name, a), number(*p.number), a);
    else obj.AddMember(str(p.name, a), str(p.text, a), a);
  }
  return obj;
}

Json files_json(const std::vector<model::File>& files, Alloc& a) {
  Json arr(rapidjson::kArrayType);
  for (const auto& f : files) {
    if (!f.size_bytes) {
      arr.PushBack(str(f.path, a), a);
      continue;
    }
    Json o(rapidjson::kObjectType);
    o.AddMember("path", str(f.path, a), a);
    o.AddMember("size_bytes", Json(*f.size_bytes), a);
    arr.PushBack(o, a);
  }
  return arr;
}

Json task_json(const model::Task& t, Alloc& a, const Json* original) {
  Json o(rapidjson::kObjectType);
  o.AddMember("id", str(t.id, a), a);
  if (t.run.shell && !t.run.script.empty()) {
    o.AddMember("run", str(t.run.script, a), a);
  } else if (!t.run.shell) {
    Json argv(rapidjson::kArrayType);
    for (const auto& arg : t.run.argv) argv.PushBack(str(arg, a), a);
    o.AddMember("run", argv, a);
  }
  if (!t.needs.empty()) {
    Json needs(rapidjson::kArrayType);
    needs.Reserve(static_cast<rapidjson::SizeType>(t.needs.size()), a);
    for (const auto& n : t.needs) needs.PushBack(str(n, a), a);
    o.AddMember("needs", needs, a);
  }
  if (t.category != t.id) o.AddMember("category", str(t.category, a), a);
  if (!t.params.empty()) o.AddMember("params", params_json(t.params, a), a);
  if (!t.inputs.empty()) o.AddMember("inputs", files_json(t.inputs, a), a);
  if (!t.outputs.empty()) o.AddMember("outputs", files_json(t.outputs, a), a);
  const auto& h = t.hints;
  if (h.cpus) o.AddMember("cpus", number(*h.cpus), a);
  if (h.mem_bytes) o.AddMember("mem_bytes", Json(*h.mem_bytes), a);
  if (h.disk_bytes) o.AddMember("disk_bytes", Json(*h.disk_bytes), a);
  if (h.net_bytes_per_s) o.AddMember("net_bytes_per_s", number(*h.net_bytes_per_s), a);
  if (h.gpus) o.AddMember("gpus", Json(*h.gpus), a);
  if (h.duration_s) o.AddMember("duration_s", number(*h.duration_s), a);
  if (t.timeout_s) o.AddMember("timeout_s", number(*t.timeout_s), a);
  if (t.priority != 0) o.AddMember("priority", Json(t.priority), a);
  if (t.retries != 0) o.AddMember("retries", Json(t.retries), a);
  if (!t.recorded.empty()) {
    const auto& r = t.recorded;
    Json rec(rapidjson::kObjectType);
    if (r.runtime_s) rec.AddMember("runtime_s", number(*r.runtime_s), a);
    if (r.cores) rec.AddMember("cores", number(*r.cores), a);
    if (r.cpu_percent) rec.AddMember("cpu_percent", number(*r.cpu_percent), a);
    if (r.mem_bytes) rec.AddMember("mem_bytes", Json(*r.mem_bytes), a);
    if (r.read_bytes) rec.AddMember("read_bytes", Json(*r.read_bytes), a);
    if (r.write_bytes) rec.AddMember("write_bytes", Json(*r.write_bytes), a);
    if (r.machine) rec.AddMember("machine", str(*r.machine, a), a);
    o.AddMember("recorded", rec, a);
  }
  if (original && original->IsObject())
    for (const auto& m : original->GetObject())
      if (carried_over(view(m.name))) o.AddMember(Json(m.name, a), Json(m.value, a), a);
  return o;
}

}  // namespace

Json write_native(const model::Workflow& wf, Alloc& a, const Json* original) {
  Json o(rapidjson::kObjectType);
  if (!wf.name.empty()) o.AddMember("name", str(wf.name, a), a);
  if (original)
    if (const Json* d = get(*original, "description")) o.AddMember("description", Json(*d, a), a);
  if (!wf.params.empty()) o.AddMember("params", params_json(wf.params, a), a);
  if (wf.priority != 0) o.AddMember("priority", Json(wf.priority), a);
  o.AddMember("source_format", str(wf.source_format, a), a);
  if (wf.recorded_makespan_s) o.AddMember("recorded_makespan_s", number(*wf.recorded_makespan_s), a);
  const Json* tasks_in = original ? get(*original, "tasks") : nullptr;
  Json tasks(rapidjson::kArrayType);
  tasks.Reserve(static_cast<rapidjson::SizeType>(wf.tasks.size()), a);
  for (size_t i = 0; i < wf.tasks.size(); ++i) {
    const Json* orig = nullptr;
    if (tasks_in && tasks_in->IsArray() && i < tasks_in->Size()) orig = &(*tasks_in)[static_cast<rapidjson::SizeType>(i)];
    if (tasks_in && tasks_in->IsObject() && i < tasks_in->MemberCount())
      orig = &tasks_in->MemberBegin()[static_cast<rapidjson::SizeType>(i)].value;
    tasks.PushBack(task_json(wf.tasks[i], a, orig), a);
  }
  o.AddMember("tasks", tasks, a);
  return o;
}

}  // namespace wf::io
