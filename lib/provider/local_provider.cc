#include "provider/local_provider.h"

#include <algorithm>
#include <cmath>
#include <filesystem>

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include "model/units.h"
#include "provider/scratch.h"

namespace wf::provider {
namespace {

[[noreturn]] void bad_spec(std::string_view kind, std::string_view what, std::string_view spec) {
  fail(util::Exit::data, "local: {} spec: {}: {}", kind, what, spec);
}

std::optional<double> number_at(const rapidjson::Value& obj, const char* key, std::string_view kind, std::string_view spec) {
  auto it = obj.FindMember(key);
  if (it == obj.MemberEnd() || it->value.IsNull()) return std::nullopt;
  if (it->value.IsNumber()) return it->value.GetDouble();
  if (it->value.IsString()) {
    std::string why;
    std::string_view text(it->value.GetString(), it->value.GetStringLength());
    std::optional<double> v;
    if (std::string_view(key) == "cpus") v = model::parse_cpus(text, &why);
    else if (std::string_view(key) == "wait_s" || std::string_view(key) == "aging_s") v = model::parse_duration(text, &why);
    else if (auto b = model::parse_bytes(text, &why)) v = static_cast<double>(*b);
    if (v) return v;
    bad_spec(kind, fmt::format("'{}': {}", key, why), spec);
  }
  bad_spec(kind, fmt::format("'{}' must be a number", key), spec);
}

std::uint64_t bytes_at(const rapidjson::Value& obj, const char* key, std::string_view kind, std::string_view spec) {
  auto v = number_at(obj, key, kind, spec);
  if (!v) return 0;
  if (*v < 0 || !std::isfinite(*v)) bad_spec(kind, fmt::format("'{}' must be a non-negative size", key), spec);
  return static_cast<std::uint64_t>(std::llround(*v));
}

ProviderResource as_resource(const Lease& lease, std::string_view kind) {
  return {lease.id, std::string(kind), lease.id, lease_json(lease)};
}

const char* kind_of(const Lease& lease) { return lease.cpus == 0 && lease.mem_bytes == 0 ? "scratch" : "lease"; }

}  // namespace

LeaseRequest lease_request(std::string_view kind, std::string_view spec) {
  if (kind != "lease" && kind != "scratch")
    throw ProviderError(ProviderError::Kind::permanent, "unsupported",
                        fmt::format("local: cannot create a {} (only lease and scratch)", kind), true);
  rapidjson::Document d;
  d.Parse(spec.data(), spec.size());
  if (d.HasParseError() || !d.IsObject()) bad_spec(kind, "not a JSON object", spec);
  LeaseRequest r;
  if (kind == "lease") {
    r.cpus = number_at(d, "cpus", kind, spec).value_or(0);
    r.mem_bytes = bytes_at(d, "mem_bytes", kind, spec);
  }
  r.disk_bytes = bytes_at(d, "disk_bytes", kind, spec);
  if (auto p = number_at(d, "priority", kind, spec)) {
    if (*p != std::floor(*p) || std::fabs(*p) > 1e9) bad_spec(kind, "'priority' must be an integer", spec);
    r.priority = static_cast<int>(*p);
  }
  r.wait_s = number_at(d, "wait_s", kind, spec);
  r.aging_s = number_at(d, "aging_s", kind, spec);
  return r;
}

std::string lease_spec(const LeaseRequest& r, std::string_view kind) {
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> w(buffer);
  w.StartObject();
  if (kind == "lease") {
    w.Key("cpus");
    w.Double(r.cpus);
    w.Key("mem_bytes");
    w.Uint64(r.mem_bytes);
  }
  w.Key("disk_bytes");
  w.Uint64(r.disk_bytes);
  w.Key("priority");
  w.Int(r.priority);
  if (r.wait_s) {
    w.Key("wait_s");
    w.Double(*r.wait_s);
  }
  if (r.aging_s) {
    w.Key("aging_s");
    w.Double(*r.aging_s);
  }
  w.EndObject();
  return buffer.GetString();
}

std::string lease_json(const Lease& l) {
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> w(buffer);
  w.StartObject();
  w.Key("cpus");
  w.Double(l.cpus);
  w.Key("mem_bytes");
  w.Uint64(l.mem_bytes);
  w.Key("disk_bytes");
  w.Uint64(l.disk_bytes);
  w.Key("priority");
  w.Int(l.priority);
  w.Key("ttl_s");
  w.Double(l.ttl_s);
  w.Key("expires_s");
  w.Double(l.expires_s);
  w.Key("scratch_dir");
  w.String(l.scratch_dir.c_str(), static_cast<rapidjson::SizeType>(l.scratch_dir.size()));
  w.EndObject();
  return buffer.GetString();
}

const std::string& LocalProvider::name() const {
  static const std::string kName = "local";
  return kName;
}

ProviderResource LocalProvider::create(const CreateRequest& request) {
  LeaseRequest r = lease_request(request.kind, request.spec_json);
  if (!request.ttl_s)
    throw ProviderError(ProviderError::Kind::permanent, "invalid",
                        "local: a lease needs a TTL: the pool takes it back when its holder stops renewing it", true);
  r.ttl_s = *request.ttl_s;
  r.run_id = request.owner;
  return as_resource(pool_.take(request.idempotency_key, r), request.kind);
}

std::optional<ProviderResource> LocalProvider::describe(std::string_view id) {
  auto lease = pool_.find(id);
  if (!lease) return std::nullopt;
  return as_resource(*lease, kind_of(*lease));
}

ProviderResource LocalProvider::resize(std::string_view id, std::string_view spec_json, std::string_view) {
  auto lease = pool_.find(id);
  if (!lease) throw ProviderError(ProviderError::Kind::permanent, "not_found", fmt::format("local: no lease {}", id));
  LeaseRequest r = lease_request(kind_of(*lease), spec_json);
  return as_resource(pool_.resize(id, r.cpus, r.mem_bytes, r.disk_bytes), kind_of(*lease));
}

Removed LocalProvider::remove(std::string_view id, std::string_view) {
  return pool_.drop(id) ? Removed::deleted : Removed::already_gone;
}

std::vector<ProviderResource> LocalProvider::list() {
  std::vector<ProviderResource> held;
  std::vector<std::string> known;
  for (const Lease& l : pool_.leases()) {
    held.push_back(as_resource(l, kind_of(l)));
    known.push_back(l.id);
  }
  if (!pool_.config().scratch_root.empty())
    for (const auto& dir : scratch_dirs(pool_.config().scratch_root)) {
      std::string id = std::filesystem::path(dir).filename().string();
      if (std::find(known.begin(), known.end(), id) != known.end()) continue;
      Lease stray;
      stray.id = id;
      stray.scratch_dir = dir;
      held.push_back({id, "scratch", id, lease_json(stray)});
    }
  std::sort(held.begin(), held.end(), [](const auto& a, const auto& b) { return a.id < b.id; });
  return held;
}

Lease acquire_lease(LocalProvider& local, const LeaseRequest& request) {
  std::string kind = request.cpus == 0 && request.mem_bytes == 0 ? "scratch" : "lease";
  Ledger& ledger = local.pool().ledger();
  ResourceRequest want{kind, lease_spec(request, kind), request.ttl_s};
  Resource row = create_resource(ledger, local, want, request.run_id);
  auto lease = local.pool().find(row.id);
  if (!lease) fail(util::Exit::software, "local: lease {} vanished right after it was taken", row.id);
  return *lease;
}

Lease renew_lease(LocalProvider& local, std::string_view id) { return local.pool().renew(id); }

Release release_lease(LocalProvider& local, std::string_view id) {
  return release_resource(local.pool().ledger(), local, id);
}

}  // namespace wf::provider
