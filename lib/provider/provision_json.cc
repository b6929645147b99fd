#include "provider/provision_json.h"

#include <rapidjson/document.h>

namespace wf::provider {
namespace {

// A JSON text from the ledger (validated when written) as a value; {} if it does not parse.
io::Json parsed(const std::string& text, io::Alloc& a) {
  rapidjson::Document d;
  d.Parse(text.c_str(), text.size());
  if (d.HasParseError() || !d.IsObject()) return io::Json(rapidjson::kObjectType);
  return io::Json(d, a);
}

}  // namespace

io::Json resource_to_json(const Resource& r, io::Alloc& a) {
  io::Json o(rapidjson::kObjectType);
  io::put(o, "id", r.id, a);
  io::put(o, "provider", r.provider, a);
  io::put(o, "kind", r.kind, a);
  io::put(o, "provider_id", r.provider_id, a);
  io::put(o, "state", to_string(r.state), a);
  io::put(o, "spec", parsed(r.spec_json, a), a);
  io::put(o, "resource", parsed(r.detail_json, a), a);
  if (r.ttl_s) io::put(o, "ttl_s", io::number(*r.ttl_s), a);
  return o;
}

void write_provision(io::Json& section, const std::string& run_id, std::span<const Resource> resources, io::Alloc& a) {
  if (!section.IsObject()) section.SetObject();
  io::put(section, "run_id", run_id, a);
  io::Json list(rapidjson::kArrayType);
  for (const auto& r : resources) list.PushBack(resource_to_json(r, a), a);
  io::put(section, "resources", std::move(list), a);
}

}  // namespace wf::provider
