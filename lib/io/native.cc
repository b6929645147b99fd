#include "io/native.h"

#include <algorithm>
#include <array>
#include <cmath>

#include <fmt/format.h>

#include "io/keys.h"
#include "io/place.h"
#include "model/command.h"
#include "model/units.h"
#include "util/strings.h"

namespace wf::io {
namespace {

// The keys of a task, in the order they are read (and offered as did-you-mean). Defaults take a
// subset, so both are classified with one table.
enum TaskKey : int {
  kId, kRun, kNeeds, kCategory, kParams, kInputs, kOutputs, kCpus, kMem, kMemBytes, kDisk, kDiskBytes, kNet,
  kNetBytesPerS, kGpus, kDuration, kDurationS, kTimeout, kTimeoutS, kPriority, kRetries, kRecorded,
  kDescription, kTaskKeyCount
};
const KeySet& task_keys() {
  static const KeySet keys{"id",   "run",       "needs",      "category",  "params",     "inputs",
                           "outputs", "cpus",   "mem",        "mem_bytes", "disk",       "disk_bytes",
                           "net",  "net_bytes_per_s", "gpus", "duration",  "duration_s", "timeout",
                           "timeout_s", "priority", "retries", "recorded", "description"};
  return keys;
}
const KeySet& workflow_keys() {
  static const KeySet keys{"name", "description", "params", "defaults", "priority", "tasks",
                           "source_format", "recorded_makespan_s", "apiVersion"};
  return keys;
}
const KeySet& default_keys() {
  static const KeySet keys{"cpus", "mem", "mem_bytes", "disk", "disk_bytes", "net", "net_bytes_per_s", "gpus",
                           "duration", "duration_s", "timeout", "timeout_s", "priority", "retries"};
  return keys;
}
const KeySet& recorded_keys() {
  static const KeySet keys{"runtime_s", "cores", "cpu_percent", "mem_bytes", "read_bytes", "write_bytes", "machine"};
  return keys;
}

using Slots = std::array<const Json*, kTaskKeyCount>;

// The members of `obj` by task key (the first of a repeated key wins, as with get()). Returns
// whether some member is not a task key.
bool collect(const Json& obj, Slots& slots) {
  slots.fill(nullptr);
  bool unknown = false;
  const KeySet& keys = task_keys();
  for (const auto& m : obj.GetObject()) {
    int k = keys.find(view(m.name));
    if (k < 0) unknown = true;
    else if (!slots[static_cast<size_t>(k)]) slots[static_cast<size_t>(k)] = &m.value;
  }
  return unknown;
}

// What a message is about: "workflow", "defaults", or "task 'ID'" (composed only when needed).
struct What {
  std::string_view text;
  const std::string* task_id = nullptr;
  std::string str() const { return task_id ? fmt::format("task '{}'", *task_id) : std::string(text); }
};

struct Defaults {
  model::Resources hints;
  std::optional<double> timeout_s;
  int priority = 0;
  int retries = 0;
};

class Reader {
 public:
  explicit Reader(Diagnostics& diags) : diags_(diags) {}

  void check_keys(const Json& obj, const Place& at, const KeySet& keys, std::string_view what) {
    for (const auto& m : obj.GetObject()) {
      std::string_view key = view(m.name);
      if (keys.find(key) >= 0) continue;
      if (diags_.warnings_full()) {
        diags_.count_warning();
        continue;
      }
      std::string hint;
      if (auto near = util::closest(key, keys.names())) hint = fmt::format(" (did you mean '{}'?)", *near);
      diags_.warning(Place(at, key).pointer(), fmt::format("unknown key '{}' in {}{}; kept as is", key, what, hint));
    }
  }

  std::optional<std::string> string(const Json* v, const Place& at, std::string_view key, const What& what) {
    if (!v || v->IsNull()) return std::nullopt;
    if (v->IsString()) return std::string(view(*v));
    if (v->IsNumber()) return util::format_number(v->GetDouble());
    diags_.error(Place(at, key).pointer(), fmt::format("{} '{}' must be a string, not {}", what.str(), key, type_name(*v)));
    return std::nullopt;
  }

  std::optional<long long> integer(const Json* v, const Place& at, std::string_view key, const What& what, long long min) {
    if (!v || v->IsNull()) return std::nullopt;
    if (v->IsInt64() && v->GetInt64() >= min && std::llabs(v->GetInt64()) < 1'000'000'000'000'000LL) return v->GetInt64();
    if (v->IsNumber() && v->GetDouble() == std::floor(v->GetDouble()) && v->GetDouble() >= static_cast<double>(min) &&
        std::fabs(v->GetDouble()) < 1e15)
      return static_cast<long long>(v->GetDouble());
    diags_.error(Place(at, key).pointer(), fmt::format("{} '{}' must be a whole number{}, not {}", what.str(), key, min == 0 ? " >= 0" : "",
                                                       v->IsNumber() ? util::format_number(v->GetDouble()) : type_name(*v)));
    return std::nullopt;
  }

  // A quantity written with units ("4GiB") under `key`, or as a number in base units under
  // `key_base` (checked first) or `key`.
  template <typename T, typename Parse>
  std::optional<T> quantity(const Json* v_key, const Json* v_base, const Place& at, std::string_view key,
                            std::string_view key_base, Parse parse, const What& what) {
    for (int pass = 0; pass < 2; ++pass) {
      const Json* v = pass == 0 ? v_base : v_key;
      std::string_view k = pass == 0 ? key_base : key;
      bool units_allowed = k == key;
      if (!v || v->IsNull()) continue;
      if (v->IsNumber()) {
        double d = v->GetDouble();
        if (d < 0) {
          diags_.error(Place(at, k).pointer(), fmt::format("{} '{}' must not be negative", what.str(), k));
          return std::nullopt;
        }
        if (v->IsUint64()) return static_cast<T>(v->GetUint64());
        return static_cast<T>(d);
      }
      if (v->IsString() && units_allowed) {
        std::string why;
        if (auto parsed = parse(view(*v), &why)) return static_cast<T>(*parsed);
        diags_.error(Place(at, k).pointer(), fmt::format("{}: {}: {}", what.str(), k, why));
        return std::nullopt;
      }
      diags_.error(Place(at, k).pointer(), fmt::format("{} '{}' must be {}, not {}", what.str(), k,
                                                       units_allowed ? "a number or a quantity with units" : "a number", type_name(*v)));
      return std::nullopt;
    }
    return std::nullopt;
  }

  void resources(const Slots& s, const Place& at, const What& what, model::Resources& r, std::optional<double>& timeout) {
    auto bytes = [](std::string_view text, std::string* why) { return model::parse_bytes(text, why); };
    if (auto v = quantity<double>(s[kCpus], s[kCpus], at, "cpus", "cpus", model::parse_cpus, what)) r.cpus = v;
    if (auto v = quantity<uint64_t>(s[kMem], s[kMemBytes], at, "mem", "mem_bytes", bytes, what)) r.mem_bytes = v;
    if (auto v = quantity<uint64_t>(s[kDisk], s[kDiskBytes], at, "disk", "disk_bytes", bytes, what)) r.disk_bytes = v;
    if (auto v = quantity<double>(s[kNet], s[kNetBytesPerS], at, "net", "net_bytes_per_s", model::parse_rate, what))
      r.net_bytes_per_s = v;
    if (auto v = quantity<double>(s[kDuration], s[kDurationS], at, "duration", "duration_s", model::parse_duration, what))
      r.duration_s = v;
    if (auto v = quantity<double>(s[kTimeout], s[kTimeoutS], at, "timeout", "timeout_s", model::parse_duration, what)) timeout = v;
    if (auto v = integer(s[kGpus], at, "gpus", what, 0)) r.gpus = static_cast<int>(*v);
  }

  std::vector<model::Param> params(const Json* v, const Place& obj) {
    std::vector<model::Param> out;
    if (!v || v->IsNull()) return out;
    Place at(obj, "params");
    if (!v->IsObject()) {
      diags_.error(at.pointer(), fmt::format("'params' must be a mapping of names to values, not {}", type_name(*v)));
      return out;
    }
    out.reserve(v->MemberCount());
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
        diags_.error(Place(at, param.name).pointer(),
                     fmt::format("param '{}' must be a string, number or boolean, not {}", param.name, type_name(m.value)));
        continue;
      }
      out.push_back(std::move(param));
    }
    std::stable_sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.name < b.name; });
    return out;
  }

  std::vector<std::string> strings(const Json* v, const Place& obj, std::string_view key, const What& what) {
    std::vector<std::string> out;
    if (!v || v->IsNull()) return out;
    Place at(obj, key);
    if (v->IsString()) {
      out.emplace_back(view(*v));
      return out;
    }
    if (!v->IsArray()) {
      diags_.error(at.pointer(), fmt::format("{} '{}' must be a string or a list of strings, not {}", what.str(), key, type_name(*v)));
      return out;
    }
    out.reserve(v->Size());
    for (rapidjson::SizeType i = 0; i < v->Size(); ++i) {
      const Json& item = (*v)[i];
      if (item.IsString()) out.emplace_back(view(item));
      else diags_.error(Place(at, i).pointer(), fmt::format("{} '{}' must list strings, found {}", what.str(), key, type_name(item)));
    }
    return out;
  }

  std::vector<model::File> files(const Json* v, const Place& obj, std::string_view key, const What& what) {
    std::vector<model::File> out;
    if (!v || v->IsNull()) return out;
    Place at(obj, key);
    if (!v->IsArray()) {
      diags_.error(at.pointer(), fmt::format("{} '{}' must be a list of paths or {{path, size}} mappings, not {}", what.str(), key, type_name(*v)));
      return out;
    }
    out.reserve(v->Size());
    auto bytes = [](std::string_view s, std::string* why) { return model::parse_bytes(s, why); };
    for (rapidjson::SizeType i = 0; i < v->Size(); ++i) {
      const Json& item = (*v)[i];
      Place item_at(at, i);
      if (item.IsString()) {
        out.push_back({std::string(view(item)), std::nullopt});
      } else if (item.IsObject() && get_string(item, "path")) {
        model::File f{std::string(*get_string(item, "path")), std::nullopt};
        f.size_bytes = quantity<uint64_t>(get(item, "size"), get(item, "size_bytes"), item_at, "size", "size_bytes", bytes, what);
        out.push_back(std::move(f));
      } else {
        diags_.error(item_at.pointer(), fmt::format("{} '{}' must list paths or {{path, size}} mappings, found {}", what.str(), key, type_name(item)));
      }
    }
    return out;
  }

  model::Command command(const Json* v, const Place& obj, const What& what, bool& present) {
    model::Command c;
    present = v && !v->IsNull();
    if (!present) return c;
    Place at(obj, "run");
    if (v->IsString()) {
      c.shell = true;
      c.script = view(*v);
      if (util::trim(c.script).empty()) diags_.error(at.pointer(), fmt::format("{} has an empty command", what.str()));
    } else if (v->IsArray() && v->Size() > 0) {
      c.shell = false;
      c.argv.reserve(v->Size());
      for (rapidjson::SizeType i = 0; i < v->Size(); ++i) {
        const Json& item = (*v)[i];
        if (item.IsString()) c.argv.emplace_back(view(item));
        else if (item.IsNumber()) c.argv.push_back(util::format_number(item.GetDouble()));
        else diags_.error(Place(at, i).pointer(), fmt::format("{}: command arguments must be strings, found {}", what.str(), type_name(item)));
      }
    } else {
      diags_.error(at.pointer(), fmt::format("{}: 'run' must be a shell string or a non-empty argv list, not {}", what.str(), type_name(*v)));
      present = false;
    }
    return c;
  }

  model::Recorded recorded(const Json* v, const Place& obj, const What& what) {
    model::Recorded r;
    if (!v || v->IsNull()) return r;
    Place at(obj, "recorded");
    if (!v->IsObject()) {
      diags_.error(at.pointer(), fmt::format("{}: 'recorded' must be a mapping, not {}", what.str(), type_name(*v)));
      return r;
    }
    check_keys(*v, at, recorded_keys(), "recorded measurements");
    r.runtime_s = get_number(*v, "runtime_s");
    r.cores = get_number(*v, "cores");
    r.cpu_percent = get_number(*v, "cpu_percent");
    if (auto x = get_number(*v, "mem_bytes")) r.mem_bytes = static_cast<uint64_t>(*x);
    if (auto x = get_number(*v, "read_bytes")) r.read_bytes = static_cast<uint64_t>(*x);
    if (auto x = get_number(*v, "write_bytes")) r.write_bytes = static_cast<uint64_t>(*x);
    if (auto x = get_string(*v, "machine")) r.machine = std::string(*x);
    return r;
  }

  // Read once for all tasks (a problem in them is reported once, at the defaults).
  Defaults defaults(const Json* v, const Place& at) {
    Defaults d;
    if (!v) return d;
    check_keys(*v, at, default_keys(), "defaults");
    Slots s;
    collect(*v, s);
    What what{"defaults"};
    resources(s, at, what, d.hints, d.timeout_s);
    d.priority = static_cast<int>(integer(s[kPriority], at, "priority", what, -1'000'000'000).value_or(0));
    d.retries = static_cast<int>(integer(s[kRetries], at, "retries", what, 0).value_or(0));
    return d;
  }

  void task(const Json& obj, const Place& at, std::optional<std::string_view> key_id, const Defaults& d, model::Task& t) {
    Slots s;
    bool unknown = collect(obj, s);
    if (key_id) {
      t.id = *key_id;
    } else if (auto id = string(s[kId], at, "id", What{"task"})) {
      t.id = std::move(*id);
    } else {
      diags_.error(at.pointer(), "task has no 'id'");
    }
    for (char c : t.id)
      if (static_cast<unsigned char>(c) < 0x20) {
        diags_.error(Place(at, "id").pointer(), fmt::format("task id '{}' holds a control character", util::trim(t.id)));
        break;
      }
    if (key_id == std::nullopt && t.id.empty() && s[kId]) diags_.error(Place(at, "id").pointer(), "task id must not be empty");
    What what{{}, &t.id};
    if (unknown) check_keys(obj, at, task_keys(), what.str());
    bool has_run = false;
    t.run = command(s[kRun], at, what, has_run);
    t.needs = strings(s[kNeeds], at, "needs", what);
    if (auto category = string(s[kCategory], at, "category", what); category && !category->empty()) t.category = std::move(*category);
    else t.category = t.id;
    t.params = params(s[kParams], at);
    t.inputs = files(s[kInputs], at, "inputs", what);
    t.outputs = files(s[kOutputs], at, "outputs", what);
    t.hints = d.hints;
    t.timeout_s = d.timeout_s;
    t.priority = d.priority;
    t.retries = d.retries;
    resources(s, at, what, t.hints, t.timeout_s);
    if (auto v = integer(s[kPriority], at, "priority", what, -1'000'000'000)) t.priority = static_cast<int>(*v);
    if (auto v = integer(s[kRetries], at, "retries", what, 0)) t.retries = static_cast<int>(*v);
    t.recorded = recorded(s[kRecorded], at, what);
    if (!has_run && t.recorded.empty()) diags_.error(at.pointer(), fmt::format("{} has no command ('run')", what.str()));
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
  Place at(pointer);
  if (!value.IsObject()) {
    diags.error(pointer, fmt::format("expected a workflow (a mapping with 'tasks'), found {}", type_name(value)));
    return wf;
  }
  Reader reader(diags);
  What what{"workflow"};
  reader.check_keys(value, at, workflow_keys(), "the workflow");
  wf.name = reader.string(get(value, "name"), at, "name", what).value_or("");
  wf.params = reader.params(get(value, "params"), at);
  wf.priority = static_cast<int>(reader.integer(get(value, "priority"), at, "priority", what, -1'000'000'000).value_or(0));
  if (auto f = get_string(value, "source_format")) wf.source_format = *f;
  wf.recorded_makespan_s = get_number(value, "recorded_makespan_s");
  const Json* defaults = get(value, "defaults");
  Place defaults_at(at, "defaults");
  if (defaults && !defaults->IsObject()) {
    diags.error(defaults_at.pointer(), fmt::format("'defaults' must be a mapping, not {}", type_name(*defaults)));
    defaults = nullptr;
  }
  Defaults d = reader.defaults(defaults, defaults_at);
  const Json* tasks = get(value, "tasks");
  Place tasks_at(at, "tasks");
  if (!tasks || tasks->IsNull()) {
    diags.error(pointer, "the workflow has no 'tasks'");
  } else if (tasks->IsArray()) {
    wf.tasks.reserve(tasks->Size());
    for (rapidjson::SizeType i = 0; i < tasks->Size(); ++i) {
      const Json& t = (*tasks)[i];
      Place task_at(tasks_at, i);
      if (!t.IsObject()) {
        diags.error(task_at.pointer(), fmt::format("a task must be a mapping, not {}", type_name(t)));
        continue;
      }
      reader.task(t, task_at, std::nullopt, d, wf.tasks.emplace_back());
    }
  } else if (tasks->IsObject()) {
    wf.tasks.reserve(tasks->MemberCount());
    for (const auto& m : tasks->GetObject()) {
      Place task_at(tasks_at, view(m.name));
      if (!m.value.IsObject()) {
        diags.error(task_at.pointer(), fmt::format("task '{}' must be a mapping, not {}", view(m.name), type_name(m.value)));
        continue;
      }
      reader.task(m.value, task_at, view(m.name), d, wf.tasks.emplace_back());
    }
  } else {
    diags.error(tasks_at.pointer(), fmt::format("'tasks' must be a list or a mapping of tasks, not {}", type_name(*tasks)));
  }
  if (tasks && (tasks->IsArray() || tasks->IsObject()) && wf.tasks.empty() && !diags.has_errors())
    diags.error(tasks_at.pointer(), "the workflow has no tasks");
  return wf;
}

}  // namespace wf::io
