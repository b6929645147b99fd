#include "io/json.h"

#include <cmath>

#include <rapidjson/prettywriter.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

namespace wf::io {

const Json* get(const Json& obj, std::string_view key) {
  if (!obj.IsObject()) return nullptr;
  auto it = obj.FindMember(Json(rapidjson::StringRef(key.data(), static_cast<rapidjson::SizeType>(key.size()))));
  return it == obj.MemberEnd() ? nullptr : &it->value;
}

Json* get(Json& obj, std::string_view key) {
  return const_cast<Json*>(get(static_cast<const Json&>(obj), key));
}

void put(Json& obj, std::string_view key, Json value, Alloc& a) {
  if (Json* existing = get(obj, key)) {
    *existing = std::move(value);
    return;
  }
  obj.AddMember(str(key, a), value, a);
}

Json number(double value) {
  if (std::isfinite(value) && value == std::floor(value) && std::fabs(value) < 9e15)
    return Json(static_cast<int64_t>(value));
  if (!std::isfinite(value)) return Json(rapidjson::kNullType);
  return Json(value);
}

std::optional<double> get_number(const Json& obj, std::string_view key) {
  const Json* v = get(obj, key);
  if (!v || !v->IsNumber()) return std::nullopt;
  return v->GetDouble();
}

std::optional<std::string_view> get_string(const Json& obj, std::string_view key) {
  const Json* v = get(obj, key);
  if (!v || !v->IsString()) return std::nullopt;
  return view(*v);
}

std::string to_json(const Json& value, bool pretty) {
  rapidjson::StringBuffer buffer;
  if (pretty) {
    rapidjson::PrettyWriter<rapidjson::StringBuffer> writer(buffer);
    writer.SetIndent(' ', 2);
    value.Accept(writer);
  } else {
    rapidjson::Writer<rapidjson::StringBuffer> writer(buffer);
    value.Accept(writer);
  }
  std::string out(buffer.GetString(), buffer.GetSize());
  out += '\n';
  return out;
}

const char* type_name(const Json& value) {
  switch (value.GetType()) {
    case rapidjson::kNullType: return "null";
    case rapidjson::kFalseType:
    case rapidjson::kTrueType: return "a boolean";
    case rapidjson::kObjectType: return "a mapping";
    case rapidjson::kArrayType: return "a list";
    case rapidjson::kStringType: return "a string";
    case rapidjson::kNumberType: return "a number";
  }
  return "a value";
}

std::string pointer_join(std::string_view base, std::string_view key) {
  std::string out(base);
  out += '/';
  for (char c : key) {
    if (c == '~') out += "~0";
    else if (c == '/') out += "~1";
    else out += c;
  }
  return out;
}

std::string pointer_join(std::string_view base, size_t index) {
  return std::string(base) + '/' + std::to_string(index);
}

}  // namespace wf::io
