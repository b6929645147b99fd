#include "io/builder.h"

namespace wf::io {

void Builder::value(const Json& v) {
  switch (v.GetType()) {
    case rapidjson::kNullType: null(); break;
    case rapidjson::kFalseType:
    case rapidjson::kTrueType: boolean(v.GetBool()); break;
    case rapidjson::kStringType: string(view(v)); break;
    case rapidjson::kNumberType:
      added();
      if (v.IsUint64()) doc_.Uint64(v.GetUint64());
      else if (v.IsInt64()) doc_.Int64(v.GetInt64());
      else doc_.Double(v.GetDouble());
      break;
    case rapidjson::kObjectType:
      begin_object();
      for (const auto& m : v.GetObject()) {
        key_copy(view(m.name));
        value(m.value);
      }
      end_object();
      break;
    case rapidjson::kArrayType:
      begin_array();
      for (const auto& item : v.GetArray()) value(item);
      end_array();
      break;
  }
}

}  // namespace wf::io
