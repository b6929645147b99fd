#include "provider/exec_protocol.h"

#include <algorithm>

#include <rapidjson/document.h>
#include <rapidjson/error/en.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <fmt/format.h>

#include "util/strings.h"

namespace wf::provider {
namespace {

using Value = rapidjson::Value;
using Writer = rapidjson::Writer<rapidjson::StringBuffer>;

void put(Writer& w, const char* key, std::string_view value) {
  w.Key(key);
  w.String(value.data(), static_cast<rapidjson::SizeType>(value.size()));
}

// Deeper answers are refused: the resource is written back out (compact) by recursion, and no
// plugin's answer needs more than a few levels.
constexpr int kMaxDepth = 64;

bool deeper_than(const Value& v, int levels) {
  if (!v.IsObject() && !v.IsArray()) return false;
  if (levels == 0) return true;
  if (v.IsArray()) return std::any_of(v.Begin(), v.End(), [&](const Value& item) { return deeper_than(item, levels - 1); });
  return std::any_of(v.MemberBegin(), v.MemberEnd(), [&](const auto& m) { return deeper_than(m.value, levels - 1); });
}

std::string compact(const Value& v) {
  rapidjson::StringBuffer buffer;
  Writer w(buffer);
  v.Accept(w);
  return buffer.GetString();
}

const Value* member(const Value& obj, const char* key) {
  auto it = obj.FindMember(key);
  return it == obj.MemberEnd() ? nullptr : &it->value;
}

std::optional<std::string> string_at(const Value& obj, const char* key) {
  const Value* v = member(obj, key);
  if (!v || !v->IsString()) return std::nullopt;
  return std::string(v->GetString(), v->GetStringLength());
}

// `resource` when present must be an object; absent is {}.
bool read_resource(const Value& obj, std::string* json, std::string* problem, std::string_view where) {
  const Value* r = member(obj, "resource");
  if (!r || r->IsNull()) return true;
  if (!r->IsObject()) {
    *problem = fmt::format("{}'resource' is not an object", where);
    return false;
  }
  *json = compact(*r);
  return true;
}

bool read_list(const Value& obj, PluginAnswer& answer, std::string* problem) {
  const Value* list = member(obj, "resources");
  if (!list || !list->IsArray()) {
    *problem = "'resources' is missing or not an array";
    return false;
  }
  for (rapidjson::SizeType i = 0; i < list->Size(); ++i) {
    const Value& item = (*list)[i];
    std::string where = fmt::format("resources[{}]: ", i);
    auto id = item.IsObject() ? string_at(item, "id") : std::nullopt;
    if (!id || id->empty()) {
      *problem = where + "'id' is missing or not a non-empty string";
      return false;
    }
    ProviderResource r{*id, string_at(item, "kind").value_or(""), string_at(item, "idempotency_key").value_or(""), "{}"};
    if (!read_resource(item, &r.resource_json, problem, where)) return false;
    answer.resources.push_back(std::move(r));
  }
  std::sort(answer.resources.begin(), answer.resources.end(), [](const auto& a, const auto& b) { return a.id < b.id; });
  return true;
}

bool read_error(const Value& obj, PluginAnswer& answer, std::string* problem) {
  const Value* e = member(obj, "error");
  if (!e || !e->IsObject()) {
    *problem = "\"ok\":false without an 'error' object";
    return false;
  }
  answer.error_code = string_at(*e, "code").value_or("error");
  answer.error_message = string_at(*e, "message").value_or("");
  const Value* retry = member(*e, "retryable");
  if (retry && !retry->IsBool()) {
    *problem = "'error.retryable' is not a boolean";
    return false;
  }
  answer.retryable = retry && retry->GetBool();
  return true;
}

}  // namespace

std::string encode_request(const PluginRequest& r) {
  rapidjson::StringBuffer buffer;
  Writer w(buffer);
  w.StartObject();
  put(w, "protocol", kProtocol);
  put(w, "op", r.op);
  if (!r.idempotency_key.empty()) put(w, "idempotency_key", r.idempotency_key);
  if (!r.kind.empty()) put(w, "kind", r.kind);
  if (!r.spec_json.empty()) {
    w.Key("spec");
    w.RawValue(r.spec_json.data(), r.spec_json.size(), rapidjson::kObjectType);
  }
  if (!r.id.empty()) put(w, "id", r.id);
  if (r.ttl_s) {
    w.Key("ttl_s");
    w.Double(*r.ttl_s);
  }
  if (!r.owner.empty()) put(w, "owner", r.owner);
  w.EndObject();
  return std::string(buffer.GetString()) + "\n";
}

std::optional<PluginAnswer> decode_answer(std::string_view text, std::string_view op, std::string* problem) {
  if (util::trim(text).empty()) {
    *problem = "printed nothing";
    return std::nullopt;
  }
  rapidjson::Document d;
  // Iterative: a plugin printing a million '[' must not exhaust the stack. Anything but
  // whitespace after the object is an error.
  d.Parse<rapidjson::kParseIterativeFlag>(text.data(), text.size());
  if (d.HasParseError()) {
    *problem = fmt::format("not JSON ({} at byte {})", rapidjson::GetParseError_En(d.GetParseError()), d.GetErrorOffset());
    return std::nullopt;
  }
  if (deeper_than(d, kMaxDepth)) {
    *problem = fmt::format("JSON nested deeper than {} levels", kMaxDepth);
    return std::nullopt;
  }
  if (!d.IsObject()) {
    *problem = "the answer is not a JSON object";
    return std::nullopt;
  }
  const Value* ok = member(d, "ok");
  if (!ok || !ok->IsBool()) {
    *problem = "'ok' is missing or not a boolean";
    return std::nullopt;
  }
  PluginAnswer answer;
  answer.ok = ok->GetBool();
  if (!answer.ok) return read_error(d, answer, problem) ? std::optional(answer) : std::nullopt;
  answer.id = string_at(d, "id").value_or("");
  if ((op == "create" || op == "resize") && answer.id.empty()) {
    *problem = "'id' is missing or empty";
    return std::nullopt;
  }
  if (!read_resource(d, &answer.resource_json, problem, "")) return std::nullopt;
  if (const Value* gone = member(d, "already_gone"); gone && gone->IsBool()) answer.already_gone = gone->GetBool();
  if (op == "list" && !read_list(d, answer, problem)) return std::nullopt;
  return answer;
}

}  // namespace wf::provider
