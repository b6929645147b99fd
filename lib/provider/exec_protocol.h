#pragma once
// wf-provider/1, the exec plugin protocol (man wf-provider(7)): one JSON object on the plugin's
// stdin, one JSON object on its stdout.
//
// Request:  {"protocol":"wf-provider/1","op":"create|describe|resize|delete|list",
//            "idempotency_key":"res-...", "kind":"host", "spec":{...}, "id":"...",
//            "ttl_s":600, "owner":"<run id>"}          (fields an op does not use are left out)
// Answers:  {"ok":true,"id":"...","resource":{...}}                 create, resize, describe
//           {"ok":true,"already_gone":false}                        delete
//           {"ok":true,"resources":[{"id":..,"kind":..,"idempotency_key":..,"resource":{..}}]}  list
//           {"ok":false,"error":{"code":"...","message":"...","retryable":false}}
// describe of something gone: ok:false with code "not_found"; delete of something gone: ok:true
// with already_gone:true (code "not_found" on delete is taken as already gone, too).
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "provider/provider.h"

namespace wf::provider {

inline constexpr std::string_view kProtocol = "wf-provider/1";

struct PluginRequest {
  std::string op;
  std::string idempotency_key;  // create, resize, delete
  std::string kind;             // create
  std::string spec_json;        // create, resize (a JSON object)
  std::string id;               // describe, resize, delete (delete may give the key alone)
  std::optional<double> ttl_s;  // create
  std::string owner;            // create
};

// One line of JSON, newline-terminated.
std::string encode_request(const PluginRequest& request);

struct PluginAnswer {
  bool ok = false;
  std::string id;
  std::string resource_json = "{}";
  bool already_gone = false;
  std::vector<ProviderResource> resources;  // list, sorted by id
  std::string error_code;
  std::string error_message;
  bool retryable = false;
};

// Parses a plugin's stdout for `op`. On text that is not a valid answer returns nullopt and says
// why in *problem ("printed nothing", "not JSON: ...", "'id' is missing", ...).
std::optional<PluginAnswer> decode_answer(std::string_view text, std::string_view op, std::string* problem);

}  // namespace wf::provider
