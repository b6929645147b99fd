#include "io/wfformat.h"

#include <algorithm>
#include <cstdlib>
#include <cctype>
#include <map>
#include <regex>
#include <set>
#include <unordered_map>

#include <fmt/format.h>

#include "model/dag.h"
#include "util/clock.h"
#include "util/strings.h"

namespace wf::io {
namespace {

std::optional<double> num(const Json& obj, std::string_view key) {
  const Json* v = get(obj, key);
  if (!v) return std::nullopt;
  if (v->IsNumber()) return v->GetDouble();
  if (v->IsString()) return util::parse_double(view(*v));
  return std::nullopt;
}

std::optional<uint64_t> bytes(const Json& obj, std::string_view key, double factor = 1) {
  auto v = num(obj, key);
  // Not a byte count a machine could have moved (negative, NaN, 2^64 and beyond): not recorded.
  if (!v || !(*v * factor >= 0) || *v * factor >= 18446744073709551616.0) return std::nullopt;
  return static_cast<uint64_t>(*v * factor);
}

// The history key: the process name (Nextflow: name differs from id), else the program, else the
// name without its "_ID0000001" / "_17" instance suffix.
std::string category_of(std::string_view id, std::string_view name, std::string_view program) {
  if (!name.empty() && name != id) return std::string(name);
  if (!program.empty() && program.find_first_of(" \t\n/") == std::string_view::npos) return std::string(program);
  static const std::regex suffix("_(ID)?[0-9]+$");
  std::string base = std::regex_replace(std::string(name.empty() ? id : name), suffix, "");
  return base.empty() ? std::string(id) : base;
}

void read_execution_task(const Json& e, model::Task& t, std::string& program) {
  model::Recorded& r = t.recorded;
  r.runtime_s = num(e, "runtimeInSeconds");
  if (!r.runtime_s) r.runtime_s = num(e, "runtime");
  r.cores = num(e, "coreCount");
  if (!r.cores) r.cores = num(e, "cores");
  r.cpu_percent = num(e, "avgCPU");
  r.mem_bytes = bytes(e, "memoryInBytes");
  if (!r.mem_bytes) r.mem_bytes = bytes(e, "memory", 1000);  // 1.3: KB
  r.read_bytes = bytes(e, "readBytes");
  if (!r.read_bytes) r.read_bytes = bytes(e, "bytesRead", 1000);
  r.write_bytes = bytes(e, "writtenBytes");
  if (!r.write_bytes) r.write_bytes = bytes(e, "bytesWritten", 1000);
  if (r.mem_bytes && *r.mem_bytes == 0) r.mem_bytes.reset();  // 0 means "not measured" in these traces
  if (const Json* m = get(e, "machines"); m && m->IsArray() && m->Size() > 0 && (*m)[0].IsString())
    r.machine = std::string(view((*m)[0]));
  else if (auto machine = get_string(e, "machine"))
    r.machine = std::string(*machine);
  if (const Json* c = get(e, "command"); c && c->IsObject())
    if (auto p = get_string(*c, "program")) program = *p;
  if (auto p = num(e, "priority")) t.priority = static_cast<int>(*p);
}

// Schema 1.5: workflow.specification (DAG, files) + workflow.execution (measurements).
void read_v15(const Json& wfj, model::Workflow& wf, Diagnostics& diags) {
  const Json* spec = get(wfj, "specification");
  const Json* tasks = spec ? get(*spec, "tasks") : nullptr;
  if (!tasks || !tasks->IsArray()) {
    diags.error("/workflow/specification", "WfFormat: 'specification.tasks' must be a list");
    return;
  }
  std::unordered_map<std::string_view, uint64_t> sizes;
  if (const Json* files = get(*spec, "files"); files && files->IsArray())
    for (const auto& f : files->GetArray())
      if (auto id = get_string(f, "id"))
        if (auto s = bytes(f, "sizeInBytes")) sizes[*id] = *s;
  auto file_list = [&](const Json& t, const char* key) {
    std::vector<model::File> out;
    if (const Json* v = get(t, key); v && v->IsArray())
      for (const auto& f : v->GetArray())
        if (f.IsString()) {
          auto it = sizes.find(view(f));
          out.push_back({std::string(view(f)), it == sizes.end() ? std::nullopt : std::optional<uint64_t>(it->second)});
        }
    return out;
  };
  std::unordered_map<std::string_view, const Json*> executed;
  const Json* exec = get(wfj, "execution");
  if (exec) {
    wf.recorded_makespan_s = num(*exec, "makespanInSeconds");
    if (const Json* et = get(*exec, "tasks"); et && et->IsArray())
      for (const auto& e : et->GetArray())
        if (auto id = get_string(e, "id")) executed[*id] = &e;
  }
  wf.tasks.reserve(tasks->Size());
  for (rapidjson::SizeType i = 0; i < tasks->Size(); ++i) {
    const Json& tj = (*tasks)[i];
    std::string ptr = pointer_join("/workflow/specification/tasks", i);
    auto id = get_string(tj, "id");
    if (!tj.IsObject() || !id || id->empty()) {
      diags.error(ptr, "WfFormat: a task needs a non-empty string 'id'");
      continue;
    }
    model::Task t;
    t.id = *id;
    std::string name(get_string(tj, "name").value_or(""));
    if (const Json* parents = get(tj, "parents"); parents && parents->IsArray())
      for (const auto& p : parents->GetArray())
        if (p.IsString()) t.needs.emplace_back(view(p));
    t.inputs = file_list(tj, "inputFiles");
    t.outputs = file_list(tj, "outputFiles");
    std::string program;
    if (auto it = executed.find(t.id); it != executed.end()) read_execution_task(*it->second, t, program);
    t.category = category_of(t.id, name, program);
    if (t.recorded.empty()) t.recorded.runtime_s = 0;  // a task with no measurement still reads as a trace task
    wf.tasks.push_back(std::move(t));
  }
}

// Schemas 1.3 / 1.4: workflow.tasks with files [{name, size|sizeInBytes, link}] and parents by name.
void read_v13(const Json& wfj, model::Workflow& wf, Diagnostics& diags, bool kilobytes) {
  const Json* tasks = get(wfj, "tasks");
  if (!tasks || !tasks->IsArray()) {
    diags.error("/workflow", "WfFormat: 'workflow.tasks' must be a list");
    return;
  }
  wf.recorded_makespan_s = num(wfj, kilobytes ? "makespan" : "makespanInSeconds");
  for (rapidjson::SizeType i = 0; i < tasks->Size(); ++i) {
    const Json& tj = (*tasks)[i];
    std::string ptr = pointer_join("/workflow/tasks", i);
    auto name = get_string(tj, "name");
    if (!tj.IsObject() || !name || name->empty()) {
      diags.error(ptr, "WfFormat: a task needs a non-empty string 'name'");
      continue;
    }
    model::Task t;
    t.id = std::string(get_string(tj, "id").value_or(*name));
    if (const Json* parents = get(tj, "parents"); parents && parents->IsArray())
      for (const auto& p : parents->GetArray())
        if (p.IsString()) t.needs.emplace_back(view(p));
    if (const Json* files = get(tj, "files"); files && files->IsArray())
      for (const auto& f : files->GetArray()) {
        model::File file{std::string(get_string(f, "name").value_or("")), std::nullopt};
        file.size_bytes = kilobytes ? bytes(f, "size", 1000) : bytes(f, "sizeInBytes");
        (get_string(f, "link").value_or("") == "output" ? t.outputs : t.inputs).push_back(std::move(file));
      }
    std::string program;
    read_execution_task(tj, t, program);
    if (auto category = get_string(tj, "category")) program = *category;
    t.category = category_of(t.id, t.id == *name ? "" : std::string(*name), program);
    if (t.recorded.empty()) t.recorded.runtime_s = 0;
    wf.tasks.push_back(std::move(t));
  }
  // In 1.3 parents name tasks by name; map names to ids where they differ.
  std::unordered_map<std::string, std::string> by_name;
  for (rapidjson::SizeType i = 0; i < tasks->Size(); ++i)
    if (auto n = get_string((*tasks)[i], "name"))
      if (auto id = get_string((*tasks)[i], "id")) by_name[std::string(*n)] = *id;
  for (auto& t : wf.tasks)
    for (auto& need : t.needs)
      if (auto it = by_name.find(need); it != by_name.end()) need = it->second;
}

}  // namespace

bool is_wfformat(const Json& root) {
  const Json* w = get(root, "workflow");
  if (!w || !w->IsObject() || get(root, "apiVersion")) return false;
  return get(root, "schemaVersion") || get(*w, "specification") || get(*w, "tasks");
}

model::Workflow read_wfformat(const Json& root, Diagnostics& diags) {
  model::Workflow wf;
  wf.source_format = "wfformat";
  wf.name = std::string(get_string(root, "name").value_or(""));
  std::string version(get_string(root, "schemaVersion").value_or(""));
  const Json& wfj = *get(root, "workflow");
  if (get(wfj, "specification")) read_v15(wfj, wf, diags);
  else if (version == "1.3" || version.empty()) read_v13(wfj, wf, diags, true);
  else read_v13(wfj, wf, diags, false);
  // As in the native format: a workflow of no tasks is refused (else the document written from
  // it would not read back, found by fuzzing).
  if (wf.tasks.empty() && !diags.has_errors())
    diags.error(get(wfj, "specification") ? "/workflow/specification/tasks" : "/workflow/tasks", "WfFormat: the instance has no tasks");
  if (!version.empty() && version != "1.3" && version != "1.4" && version != "1.5")
    diags.warning("/schemaVersion", fmt::format("WfFormat schema version '{}' is not one of 1.3, 1.4, 1.5; read as the closest", version));
  return wf;
}

Json write_wfformat(const model::Workflow& wf, Alloc& a) {
  Json root(rapidjson::kObjectType);
  root.AddMember("name", str(wf.name.empty() ? "workflow" : wf.name, a), a);
  root.AddMember("description", str(fmt::format("{} exported by wf", wf.name.empty() ? "workflow" : wf.name), a), a);
  root.AddMember("schemaVersion", "1.5", a);
  // The DAG's children lists, from the needs.
  model::Dag dag(wf);
  std::map<std::string, uint64_t> files;
  Json tasks(rapidjson::kArrayType);
  bool all_runtimes = !wf.tasks.empty();
  for (uint32_t i = 0; i < wf.tasks.size(); ++i) {
    const auto& t = wf.tasks[i];
    Json o(rapidjson::kObjectType);
    o.AddMember("name", str(t.category.empty() ? t.id : t.category, a), a);
    o.AddMember("id", str(t.id, a), a);
    Json parents(rapidjson::kArrayType), children(rapidjson::kArrayType), in(rapidjson::kArrayType), out(rapidjson::kArrayType);
    for (uint32_t p : dag.parents(i)) parents.PushBack(str(wf.tasks[p].id, a), a);
    for (uint32_t c : dag.children(i)) children.PushBack(str(wf.tasks[c].id, a), a);
    for (const auto& f : t.inputs) {
      in.PushBack(str(f.path, a), a);
      if (f.size_bytes) files[f.path] = *f.size_bytes;
    }
    for (const auto& f : t.outputs) {
      out.PushBack(str(f.path, a), a);
      if (f.size_bytes) files[f.path] = *f.size_bytes;
    }
    o.AddMember("parents", parents, a);
    o.AddMember("children", children, a);
    o.AddMember("inputFiles", in, a);
    o.AddMember("outputFiles", out, a);
    tasks.PushBack(o, a);
    if (!t.recorded.runtime_s) all_runtimes = false;
  }
  Json file_list(rapidjson::kArrayType);
  for (const auto& [id, size] : files) {
    Json f(rapidjson::kObjectType);
    f.AddMember("id", str(id, a), a);
    f.AddMember("sizeInBytes", Json(size), a);
    file_list.PushBack(f, a);
  }
  Json spec(rapidjson::kObjectType);
  spec.AddMember("tasks", tasks, a);
  spec.AddMember("files", file_list, a);
  Json workflow(rapidjson::kObjectType);
  workflow.AddMember("specification", spec, a);
  if (all_runtimes) {
    Json exec(rapidjson::kObjectType), etasks(rapidjson::kArrayType);
    exec.AddMember("makespanInSeconds", number(wf.recorded_makespan_s.value_or(0)), a);
    // The same input gives the same bytes: the time is SOURCE_DATE_EPOCH's, else the epoch (the
    // recorded measurements carry no start time to take it from).
    double when = 0;
    if (const char* sde = std::getenv("SOURCE_DATE_EPOCH"))
      if (auto v = util::parse_double(sde)) when = *v;
    exec.AddMember("executedAt", str(util::iso8601(when), a), a);
    for (const auto& t : wf.tasks) {
      const auto& r = t.recorded;
      Json e(rapidjson::kObjectType);
      e.AddMember("id", str(t.id, a), a);
      e.AddMember("runtimeInSeconds", number(*r.runtime_s), a);
      if (r.cores) e.AddMember("coreCount", number(*r.cores), a);
      if (r.cpu_percent) e.AddMember("avgCPU", number(*r.cpu_percent), a);
      if (r.read_bytes) e.AddMember("readBytes", Json(*r.read_bytes), a);
      if (r.write_bytes) e.AddMember("writtenBytes", Json(*r.write_bytes), a);
      if (r.mem_bytes) e.AddMember("memoryInBytes", Json(*r.mem_bytes), a);
      if (r.machine) {
        Json m(rapidjson::kArrayType);
        m.PushBack(str(*r.machine, a), a);
        e.AddMember("machines", m, a);
      }
      etasks.PushBack(e, a);
    }
    exec.AddMember("tasks", etasks, a);
    workflow.AddMember("execution", exec, a);
  }
  root.AddMember("workflow", workflow, a);
  return root;
}

}  // namespace wf::io
