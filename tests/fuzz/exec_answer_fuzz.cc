// An exec plugin's stdout (provider::decode_answer), for each operation of wf-provider/1. Bad
// text is a nullopt with a reason, never an exception; a decoded answer's JSON fields are JSON.
#include <string>

#include <rapidjson/document.h>

#include "fuzz.h"
#include "provider/exec_protocol.h"

namespace {

bool is_json_object(const std::string& text) {
  rapidjson::Document d;
  d.Parse(text.c_str(), text.size());
  return !d.HasParseError() && d.IsObject();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text = wf::fuzz::text(data, size);
  for (const char* op : {"create", "describe", "resize", "delete", "list"}) {
    std::string problem;
    auto answer = wf::provider::decode_answer(text, op, &problem);
    if (!answer) {
      wf::fuzz::expect(!problem.empty(), "a refused answer says why");
      continue;
    }
    wf::fuzz::expect(is_json_object(answer->resource_json), "resource_json is a JSON object");
    for (const auto& r : answer->resources) wf::fuzz::expect(!r.id.empty(), "a listed resource has an id");
  }
  return 0;
}
