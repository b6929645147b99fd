#include "io/native.h"

#include <algorithm>
#include <array>
#include <cmath>

#include <fmt/format.h>

#include "model/command.h"
#include "model/units.h"
#include "util/strings.h"

namespace wf::io {
namespace {

constexpr std::array kTaskKeys = {
    "id",   "run",       "needs",    "category",        "params",   "inputs",     "outputs",
    "cpus", "mem",       "mem_bytes", "disk",           "disk_bytes", "net",      "net_bytes_per_s",
    "gpus", "duration",  "duration_s", "timeout",       "timeout_s", "priority",  "retries",
    "recorded", "description"};
constexpr std::array kWorkflowKeys = {"name", "description", "params", "defaults", "priority", "tasks",
                                      "source_format", "recorded_makespan_s", "apiVersion"};
constexpr std::array kDefaultKeys = {"cpus", "mem", "mem_bytes", "disk", "disk_bytes", "net", "net_bytes_per_s", "gpus",
                                     "duration", "duration_s", "timeout", "timeout_s", "priority", "retries"};
constexpr std::array kRecordedKeys = {"runtime_s", "cores", "cpu_percent", "mem_bytes", "read_bytes", "write_bytes", "machine"};

template <size_t N>
std::vector<std::string> names(const std::array<const char*, N>& keys) {
  return {keys.begin(), keys.end()};
}

template <size_t N>
bool known(const std::array<const char*, N>& keys, std::string_view key) {
  return std::find(keys.begin(), keys.end(), key) != keys.end();
}

class Reader {
 public:
  explicit Reader(Diagnostics& diags) : diags_(diags) {}

  template <size_t N>
  void check_keys(const Json& obj, const std::string& ptr, const std::array<const char*, N>& keys, std::string_view what) {
    for (const auto& m : obj.GetObject()) {
      std::string_view key = view(m.name);
      if (known(keys, key)) continue;
      std::string hint;
      if (auto near = util::closest(key, names(keys))) hint = fmt::format(" (did you mean '{}'?)", *near);
      diags_.warning(pointer_join(ptr, key), fmt::format("unknown key '{}' in {}{}; kept as is", key, what, hint));
    }
  }

  std::optional<std::string> string(const Json& obj, const std::string& ptr, std::string_view key, std::string_view what) {
    const Json* v = get(obj, key);
    if (!v || v->IsNull()) return std::nullopt;
    if (v->IsString()) return std::string(view(*v));
    if (v->IsNumber()) return util::format_number(v->GetDouble());
    diags_.error(pointer_join(ptr, key), fmt::format("{} '{}' must be a string, not {}", what, key, type_name(*v)));
    return std::nullopt;
  }

  std::optional<long long> integer(const Json& obj, const std::string& ptr, std::string_view key, std::string_view what, long long min) {
    const Json* v = get(obj, key);
    if (!v || v->IsNull()) return std::nullopt;
    if (v->IsNumber() && v->GetDouble() == std::floor(v->GetDouble()) && v->GetDouble() >= static_cast<double>(min) &&
        std::fabs(v->GetDouble()) < 1e15)
      return static_cast<long long>(v->GetDouble());
    diags_.error(pointer_join(ptr, key), fmt::format("{} '{}' must be a whole number{}, not {}", what, key,
                                                     min == 0 ? " >= 0" : "", v->IsNumber() ? util::format_number(v->GetDouble()) : type_name(*v)));
    return std::nullopt;
  }

  // A quantity written with units ("4GiB") or as a number in base units, under `key` or `key_base`.
  template <typename T, typename Parse>
  std::optional<T> quantity(const Json& obj, const std::string& ptr, const char* key, const char* key_base, Parse parse,
                            std::string_view what) {
    for (const char* k : {key_base, key}) {
      const Json* v = get(obj, k);
      if (!v || v->IsNull()) continue;
      std::string p = pointer_join(ptr, k);
      if (v->IsNumber()) {
        if (v->GetDouble() < 0) {
          diags_.error(p, fmt::format("{} '{}' must not be negative", what, k));
          return std::nullopt;
        }
        return static_cast<T>(v->GetDouble());
      }
      if (v->IsString() && k == key) {
        std::string why;
        if (auto parsed = parse(view(*v), &why)) return static_cast<T>(*parsed);
        diags_.error(p, fmt::format("{}: {}: {}", what, k, why));
        return std::nullopt;
      }
      diags_.error(p, fmt::format("{} '{}' must be {}, not {}", what, k, k == key ? "a number or a quantity with units" : "a number", type_name(*v)));
      return std::nullopt;
    }
    return std::nullopt;
  }

  void resources(const Json& obj, const std::string& ptr, std::string_view what, model::Resources& r,
                 std::optional<double>& timeout) {
    auto bytes = [](std::string_view s, std::string* why) { return model::parse_bytes(s, why); };
    if (auto v = quantity<double>(obj, ptr, "cpus", "cpus", model::parse_cpus, what)) r.cpus = v;
    if (auto v = quantity<uint64_t>(obj, ptr, "mem", "mem_bytes", bytes, what)) r.mem_bytes = v;
    if (auto v = quantity<uint64_t>(obj, ptr, "disk", "disk_bytes", bytes, what)) r.disk_bytes = v;
    if (auto v = quantity<double>(obj, ptr, "net", "net_bytes_per_s", model::parse_rate, what)) r.net_bytes_per_s = v;
    if (auto v = quantity<double>(obj, ptr, "duration", "duration_s", model::parse_duration, what)) r.duration_s = v;
    if (auto v = quantity<double>(obj, ptr, "timeout", "timeout_s", model::parse_duration, what)) timeout = v;
    if (auto v = integer(obj, ptr, "gpus", what, 0)) r.gpus = static_cast<int>(*v);
  }

  std::vector<model::Param> params(const Json& obj, const std::string& ptr) {
    std::vector<model::Param> out;
    const Json* v = get(obj, "params");
    if (!v || v->IsNull()) return out;
    std::string p = pointer_join(ptr, "params");
    if (!v->IsObject()) {
      diags_.error(p, fmt::format("'params' must be a mapping of names to values, not {}", type_name(*v)));
      return out;
    }
    for (const auto& m : v->GetObject()) {
      model::Param param{std::string(view(m.name)), {}, {}};
      if (m.value.IsString()) {
        param.text = view(m.value);
        param.number = util::parse_double(param.text);
      } else if (m.value.IsNumber()) {
        param.number = m.value.GetDouble();
        param.text = util::format_number(*param.number);
      } else if (m.value.IsBool()) {
        param.text = m.value.GetBool() ? "true" : "false";
      } else {
        diags_.error(pointer_join(p, param.name), fmt::format("param '{}' must be a string, number or boolean, not {}", param.name, type_name(m.value)));
        continue;
      }
      out.push_back(std::move(param));
    }
    std::stable_sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.name < b.name; });
    return out;
  }

  std::vector<std::string> strings(const Json& obj, const std::string& ptr, std::string_view key, std::string_view what) {
    std::vector<std::string> out;
    const Json* v = get(obj, key);
    if (!v || v->IsNull()) return out;
    std::string p = pointer_join(ptr, key);
    if (v->IsString()) {
      out.emplace_back(view(*v));
      return out;
    }
    if (!v->IsArray()) {
      diags_.error(p, fmt::format("{} '{}' must be a string or a list of strings, not {}", what, key, type_name(*v)));
      return out;
    }
    out.reserve(v->Size());
    for (rapidjson::SizeType i = 0; i < v->Size(); ++i) {
      const Json& item = (*v)[i];
      if (item.IsString()) out.emplace_back(view(item));
      else diags_.error(pointer_join(p, i), fmt::format("{} '{}' must list strings, found {}", what, key, type_name(item)));
    }
    return out;
  }

  std::vector<model::File> files(const Json& obj, const std::string& ptr, std::string_view key, std::string_view what) {
    std::vector<model::File> out;
    const Json* v = get(obj, key);
    if (!v || v->IsNull()) return out;
    std::string p = pointer_join(ptr, key);
    if (!v->IsArray()) {
      diags_.error(p, fmt::format("{} '{}' must be a list of paths or {{path, size}} mappings, not {}", what, key, type_name(*v)));
      return out;
    }
    for (rapidjson::SizeType i = 0; i < v->Size(); ++i) {
      const Json& item = (*v)[i];
      std::string ip = pointer_join(p, i);
      if (item.IsString()) {
        out.push_back({std::string(view(item)), std::nullopt});
      } else if (item.IsObject() && get_string(item, "path")) {
        model::File f{std::string(*get_string(item, "path")), std::nullopt};
        auto bytes = [](std::string_view s, std::string* why) { return model::parse_bytes(s, why); };
        f.size_bytes = quantity<uint64_t>(item, ip, "size", "size_bytes", bytes, what);
        out.push_back(std::move(f));
      } else {
        diags_.error(ip, fmt::format("{} '{}' must list paths or {{path, size}} mappings, found {}", what, key, type_name(item)));
      }
    }
    return out;
  }

  model::Command command(const Json& task, const std::string& ptr, std::string_view what, bool& present) {
    model::Command c;
    const Json* v = get(task, "run");
    present = v && !v->IsNull();
    if (!present) return c;
    std::string p = pointer_join(ptr, "run");
    if (v->IsString()) {
      c.shell = true;
      c.script = view(*v);
      if (util::trim(c.script).empty()) diags_.error(p, fmt::format("{} has an empty command", what));
    } else if (v->IsArray() && v->Size() > 0) {
      c.shell = false;
      for (rapidjson::SizeType i = 0; i < v->Size(); ++i) {
        const Json& item = (*v)[i];
        if (item.IsString()) c.argv.emplace_back(view(item));
        else if (item.IsNumber()) c.argv.push_back(util::format_number(item.GetDouble()));
        else diags_.error(pointer_join(p, i), fmt::format("{}: command arguments must be strings, found {}", what, type_name(item)));
      }
    } else {
      diags_.error(p, fmt::format("{}: 'run' must be a shell string or a non-empty argv list, not {}", what, type_name(*v)));
      present = false;
    }
    return c;
  }

  model::Recorded recorded(const Json& task, const std::string& ptr, std::string_view what) {
    model::Recorded r;
    const Json* v = get(task, "recorded");
    if (!v || v->IsNull()) return r;
    std::string p = pointer_join(ptr, "recorded");
    if (!v->IsObject()) {
      diags_.error(p, fmt::format("{}: 'recorded' must be a mapping, not {}", what, type_name(*v)));
      return r;
    }
    check_keys(*v, p, kRecordedKeys, "recorded measurements");
    r.runtime_s = get_number(*v, "runtime_s");
    r.cores = get_number(*v, "cores");
    r.cpu_percent = get_number(*v, "cpu_percent");
    if (auto x = get_number(*v, "mem_bytes")) r.mem_bytes = static_cast<uint64_t>(*x);
    if (auto x = get_number(*v, "read_bytes")) r.read_bytes = static_cast<uint64_t>(*x);
    if (auto x = get_number(*v, "write_bytes")) r.write_bytes = static_cast<uint64_t>(*x);
    if (auto x = get_string(*v, "machine")) r.machine = std::string(*x);
    return r;
  }

  model::Task task(const Json& obj, const std::string& ptr, std::optional<std::string_view> key_id, const Json* defaults,
                   const std::string& defaults_ptr) {
    model::Task t;
    if (key_id) {
      t.id = *key_id;
    } else if (auto id = string(obj, ptr, "id", "task")) {
      t.id = *id;
    } else {
      diags_.error(ptr, "task has no 'id'");
    }
    for (char c : t.id)
      if (static_cast<unsigned char>(c) < 0x20) {
        diags_.error(pointer_join(ptr, "id"), fmt::format("task id '{}' holds a control character", util::trim(t.id)));
        break;
      }
    if (key_id == std::nullopt && t.id.empty() && get(obj, "id")) diags_.error(pointer_join(ptr, "id"), "task id must not be empty");
    std::string what = fmt::format("task '{}'", t.id);
    check_keys(obj, ptr, kTaskKeys, what);
    bool has_run = false;
    t.run = command(obj, ptr, what, has_run);
    t.needs = strings(obj, ptr, "needs", what);
    t.category = string(obj, ptr, "category", what).value_or(t.id);
    if (t.category.empty()) t.category = t.id;
    t.params = params(obj, ptr);
    t.inputs = files(obj, ptr, "inputs", what);
    t.outputs = files(obj, ptr, "outputs", what);
    if (defaults) {
      resources(*defaults, defaults_ptr, "defaults", t.hints, t.timeout_s);
      t.priority = static_cast<int>(integer(*defaults, defaults_ptr, "priority", "defaults", -1'000'000'000).value_or(0));
      t.retries = static_cast<int>(integer(*defaults, defaults_ptr, "retries", "defaults", 0).value_or(0));
    }
    resources(obj, ptr, what, t.hints, t.timeout_s);
    if (auto v = integer(obj, ptr, "priority", what, -1'000'000'000)) t.priority = static_cast<int>(*v);
    if (auto v = integer(obj, ptr, "retries", what, 0)) t.retries = static_cast<int>(*v);
    t.recorded = recorded(obj, ptr, what);
    if (!has_run && t.recorded.empty()) diags_.error(ptr, fmt::format("{} has no command ('run')", what));
    return t;
  }

 private:
  Diagnostics& diags_;
};

}  // namespace

std::string task_pointer(const Json& value, std::string_view pointer, size_t index) {
  std::string p = pointer_join(pointer, "tasks");
  const Json* tasks = get(value, "tasks");
  if (tasks && tasks->IsObject() && index < tasks->MemberCount())
    return pointer_join(p, view(tasks->MemberBegin()[static_cast<rapidjson::SizeType>(index)].name));
  return pointer_join(p, index);
}

model::Workflow read_native(const Json& value, std::string_view pointer, Diagnostics& diags) {
  model::Workflow wf;
  wf.source_format = "native";
  std::string ptr(pointer);
  if (!value.IsObject()) {
    diags.error(ptr, fmt::format("expected a workflow (a mapping with 'tasks'), found {}", type_name(value)));
    return wf;
  }
  Reader reader(diags);
  reader.check_keys(value, ptr, kWorkflowKeys, "the workflow");
  wf.name = reader.string(value, ptr, "name", "workflow").value_or("");
  wf.params = reader.params(value, ptr);
  wf.priority = static_cast<int>(reader.integer(value, ptr, "priority", "workflow", -1'000'000'000).value_or(0));
  if (auto f = get_string(value, "source_format")) wf.source_format = *f;
  wf.recorded_makespan_s = get_number(value, "recorded_makespan_s");
  const Json* defaults = get(value, "defaults");
  std::string defaults_ptr = pointer_join(ptr, "defaults");
  if (defaults && !defaults->IsObject()) {
    diags.error(defaults_ptr, fmt::format("'defaults' must be a mapping, not {}", type_name(*defaults)));
    defaults = nullptr;
  }
  if (defaults) reader.check_keys(*defaults, defaults_ptr, kDefaultKeys, "defaults");
  const Json* tasks = get(value, "tasks");
  std::string tasks_ptr = pointer_join(ptr, "tasks");
  if (!tasks || tasks->IsNull()) {
    diags.error(ptr, "the workflow has no 'tasks'");
  } else if (tasks->IsArray()) {
    wf.tasks.reserve(tasks->Size());
    for (rapidjson::SizeType i = 0; i < tasks->Size(); ++i) {
      const Json& t = (*tasks)[i];
      std::string tp = pointer_join(tasks_ptr, i);
      if (!t.IsObject()) {
        diags.error(tp, fmt::format("a task must be a mapping, not {}", type_name(t)));
        continue;
      }
      wf.tasks.push_back(reader.task(t, tp, std::nullopt, defaults, defaults_ptr));
    }
  } else if (tasks->IsObject()) {
    for (const auto& m : tasks->GetObject()) {
      std::string tp = pointer_join(tasks_ptr, view(m.name));
      if (!m.value.IsObject()) {
        diags.error(tp, fmt::format("task '{}' must be a mapping, not {}", view(m.name), type_name(m.value)));
        continue;
      }
      wf.tasks.push_back(reader.task(m.value, tp, view(m.name), defaults, defaults_ptr));
    }
  } else {
    diags.error(tasks_ptr, fmt::format("'tasks' must be a list or a mapping of tasks, not {}", type_name(*tasks)));
  }
  if (tasks && (tasks->IsArray() || tasks->IsObject()) && wf.tasks.empty() && !diags.has_errors())
    diags.error(tasks_ptr, "the workflow has no tasks");
  return wf;
}

}  // namespace wf::io
