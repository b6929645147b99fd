#include "provider/slurm_provider.h"

#include <algorithm>
#include <cmath>
#include <map>

#include <fmt/ranges.h>
#include <pwd.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>
#include <unistd.h>

#include "provider/resource.h"
#include "util/strings.h"

namespace wf::provider {
namespace {

constexpr std::string_view kNodesPrefix = "nodes/";
constexpr std::string_view kMarkPrefix = "wf:";

std::string caller() {
  if (const passwd* pw = ::getpwuid(::geteuid())) return pw->pw_name;
  return std::to_string(::geteuid());
}

int minutes(double seconds) { return std::max(1, static_cast<int>(std::ceil(seconds / 60.0 - 1e-9))); }

std::string reservation_json(SlurmRecord& r, const std::vector<std::string>& hosts) {
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> w(buffer);
  auto text = [&w](const char* key, const std::string& value) {
    w.Key(key);
    w.String(value.c_str(), static_cast<rapidjson::SizeType>(value.size()));
  };
  w.StartObject();
  text("name", r["ReservationName"]);
  text("partition", r["PartitionName"]);
  w.Key("nodes");
  w.StartArray();
  for (const auto& h : hosts) w.String(h.c_str(), static_cast<rapidjson::SizeType>(h.size()));
  w.EndArray();
  w.Key("node_count");
  w.Int64(util::parse_int(r["NodeCnt"]).value_or(0));
  w.Key("core_count");
  w.Int64(util::parse_int(r["CoreCnt"]).value_or(0));
  w.Key("cores_on_named_nodes");
  w.Bool(r["Flags"].find("SPEC_NODES") != std::string::npos);
  text("start", r["StartTime"]);
  text("end", r["EndTime"]);
  text("flags", r["Flags"]);
  text("users", r["Users"]);
  text("state", r["State"]);
  w.EndObject();
  return std::string(buffer.GetString(), buffer.GetSize());
}

std::string nodes_json(const std::vector<const SlurmNodeInfo*>& nodes) {
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> w(buffer);
  w.StartObject();
  w.Key("nodes");
  w.StartArray();
  for (const auto* n : nodes) w.String(n->name.c_str());
  w.EndArray();
  w.Key("states");
  w.StartArray();
  for (const auto* n : nodes) w.String(n->state.c_str());
  w.EndArray();
  w.Key("cpus");
  int cpus = 0;
  for (const auto* n : nodes) cpus += n->cpus;
  w.Int(cpus);
  w.EndObject();
  return std::string(buffer.GetString(), buffer.GetSize());
}

std::string key_of_reservation(const std::string& name) {
  std::string key = name.substr(3);
  return is_resource_id(key) ? key : "";
}

}  // namespace

SlurmProvider::SlurmProvider(SlurmProviderOptions options) : options_(std::move(options)), scontrol_(options_.scontrol) {
  if (options_.user.empty()) options_.user = caller();
}

const std::string& SlurmProvider::name() const {
  static const std::string n = "slurm";
  return n;
}

ProviderResource SlurmProvider::create(const CreateRequest& request) {
  if (request.idempotency_key.empty())
    throw ProviderError(ProviderError::Kind::permanent, "no_key", "slurm: create needs an idempotency key", true);
  if (request.kind == "reservation") return create_reservation("wf-" + request.idempotency_key, request.spec_json, request.idempotency_key);
  if (request.kind == "node") return create_nodes(request.idempotency_key, request.spec_json);
  throw ProviderError(ProviderError::Kind::permanent, "unsupported",
                      fmt::format("slurm: cannot create a {} (only reservation and node)", request.kind), true);
}

ProviderResource SlurmProvider::create_reservation(const std::string& name, std::string_view spec_json, const std::string& key) {
  if (auto existing = describe_reservation(name)) return *existing;  // an earlier create got through
  ReservationSpec spec = parse_reservation_spec(spec_json);
  ReservationShape shape = shape_reservation(spec, scontrol_.nodes());
  std::vector<std::string> args = {"create", "reservation", "reservationname=" + name, "starttime=" + spec.start,
                                   fmt::format("duration={}", minutes(spec.duration_s)),
                                   "users=" + (spec.users.empty() ? options_.user : spec.users), "flags=ignore_jobs"};
  for (auto& w : reservation_words(shape, spec.partition)) args.push_back(std::move(w));
  scontrol_.must(args, "create reservation " + name);
  auto made = scontrol_.show("reservation", name);
  if (made.empty())
    throw ProviderError(ProviderError::Kind::protocol, "vanished",
                        fmt::format("slurm: reservation {} was created but scontrol does not show it", name));
  // Slurm may grant fewer nodes than nodecnt asks when some are reserved already: not what the
  // forecast needs, so it is given back.
  int asked = shape.whole_nodes ? shape.node_count : 0;
  for (int c : shape.cores) asked += c;
  auto got = util::parse_int(made.front()[shape.whole_nodes ? "NodeCnt" : "CoreCnt"]).value_or(0);
  if (got < asked) {
    scontrol_.run({"delete", "reservation=" + name});
    throw ProviderError(ProviderError::Kind::permanent, "busy",
                        fmt::format("slurm: reservation {}: {} {} asked, Slurm granted {} (the rest is reserved already)", name,
                                    asked, shape.whole_nodes ? "nodes" : "cores", got),
                        scontrol_.show("reservation", name).empty());
  }
  ProviderResource r = resource_of(made.front());
  r.idempotency_key = key;
  return r;
}

ProviderResource SlurmProvider::resource_of(SlurmRecord& r) {
  std::string name = r["ReservationName"];
  std::vector<std::string> hosts;
  if (!r["Nodes"].empty() && r["Nodes"] != "(null)") {
    ProgramResult h = scontrol_.run({"show", "hostnames", r["Nodes"]});
    for (const auto& line : util::split(h.out, '\n'))
      if (!util::trim(line).empty()) hosts.emplace_back(util::trim(line));
  }
  return ProviderResource{name, "reservation", key_of_reservation(name), reservation_json(r, hosts)};
}

std::optional<ProviderResource> SlurmProvider::describe_reservation(const std::string& name) {
  auto found = scontrol_.show("reservation", name);
  if (found.empty()) return std::nullopt;
  return resource_of(found.front());
}

ProviderResource SlurmProvider::create_nodes(const std::string& key, std::string_view spec_json) {
  if (auto existing = describe_nodes(key)) return *existing;
  NodeSpec spec = parse_node_spec(spec_json);
  std::vector<std::string> warm = nodes_to_warm(spec, scontrol_.nodes());
  if (!warm.empty()) {
    std::string list = fmt::format("{}", fmt::join(warm, ","));
    scontrol_.must({"update", "nodename=" + list, std::string("comment=") + std::string(kMarkPrefix) + key}, "mark nodes " + list);
    scontrol_.must({"update", "nodename=" + list, "state=power_up"}, "power up " + list);
  }
  if (auto made = describe_nodes(key)) return *made;
  // Nothing needed powering up: an empty group, which holds nothing.
  return ProviderResource{std::string(kNodesPrefix) + key, "node", key, R"({"nodes":[],"states":[],"cpus":0})"};
}

std::optional<ProviderResource> SlurmProvider::describe_nodes(const std::string& key) {
  auto nodes = scontrol_.nodes();
  std::vector<const SlurmNodeInfo*> marked;
  for (const auto& n : nodes)
    if (n.comment == std::string(kMarkPrefix) + key) marked.push_back(&n);
  if (marked.empty()) return std::nullopt;
  return ProviderResource{std::string(kNodesPrefix) + key, "node", key, nodes_json(marked)};
}

std::optional<ProviderResource> SlurmProvider::describe(std::string_view id) {
  if (util::starts_with(id, kNodesPrefix)) return describe_nodes(std::string(id.substr(kNodesPrefix.size())));
  return describe_reservation(std::string(id));
}

ProviderResource SlurmProvider::resize(std::string_view id, std::string_view spec_json, std::string_view idempotency_key) {
  std::string name(id);
  if (util::starts_with(id, kNodesPrefix)) {
    // A different set of warm nodes: release the old mark, warm the new set.
    std::string key(id.substr(kNodesPrefix.size()));
    remove(id, idempotency_key);
    return create_nodes(key, spec_json);
  }
  auto current = describe_reservation(name);
  if (!current)
    throw ProviderError(ProviderError::Kind::permanent, "not_found", fmt::format("slurm: no reservation {} to resize", name));
  ReservationSpec spec = parse_reservation_spec(spec_json);
  ReservationShape shape = shape_reservation(spec, scontrol_.nodes());
  bool had_cores = current->resource_json.find(R"("cores_on_named_nodes":true)") != std::string::npos;
  if (shape.whole_nodes && !had_cores) {
    scontrol_.must({"update", "reservation", "reservationname=" + name, fmt::format("nodecnt={}", shape.node_count),
                    fmt::format("duration={}", minutes(spec.duration_s))},
                   "resize reservation " + name);
  } else {
    // Slurm 22.05: "Core-based reservation can not be updated": recreate under the same name.
    scontrol_.must({"delete", "reservation=" + name}, "delete reservation " + name + " to resize it");
    return create_reservation(name, spec_json, std::string(idempotency_key));
  }
  auto after = describe_reservation(name);
  if (!after) throw ProviderError(ProviderError::Kind::protocol, "vanished", fmt::format("slurm: reservation {} vanished", name));
  return *after;
}

Removed SlurmProvider::remove(std::string_view id, std::string_view) {
  if (util::starts_with(id, kNodesPrefix)) {
    auto group = describe_nodes(std::string(id.substr(kNodesPrefix.size())));
    if (!group) return Removed::already_gone;
    std::string key(id.substr(kNodesPrefix.size()));
    std::vector<std::string> names;
    for (const auto& n : scontrol_.nodes())
      if (n.comment == std::string(kMarkPrefix) + key) names.push_back(n.name);
    std::string list = fmt::format("{}", fmt::join(names, ","));
    scontrol_.must({"update", "nodename=" + list, "comment="}, "unmark nodes " + list);
    // Idle ones go down now; busy ones once their jobs end.
    scontrol_.must({"update", "nodename=" + list, "state=power_down"}, "power down " + list);
    return Removed::deleted;
  }
  std::string name(id);
  if (!describe_reservation(name)) return Removed::already_gone;
  ProgramResult r = scontrol_.run({"delete", "reservation=" + name});
  if (r.exit_code() != 0) {
    if (!describe_reservation(name)) return Removed::already_gone;  // someone else deleted it meanwhile
    throw ProviderError(ProviderError::Kind::permanent, "scontrol",
                        fmt::format("slurm: delete reservation {}: {}", name, util::trim(r.err.empty() ? r.out : r.err)));
  }
  return Removed::deleted;
}

std::vector<ProviderResource> SlurmProvider::list() {
  std::vector<ProviderResource> out;
  for (auto& r : scontrol_.show("reservation")) {
    const std::string name = r["ReservationName"];
    if (!util::starts_with(name, "wf-")) continue;
    out.push_back(resource_of(r));
  }
  std::map<std::string, std::vector<const SlurmNodeInfo*>> groups;
  auto nodes = scontrol_.nodes();
  for (const auto& n : nodes)
    if (util::starts_with(n.comment, kMarkPrefix)) groups[n.comment.substr(kMarkPrefix.size())].push_back(&n);
  for (const auto& [key, members] : groups)
    out.push_back({std::string(kNodesPrefix) + key, "node", is_resource_id(key) ? key : "", nodes_json(members)});
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.id < b.id; });
  return out;
}

std::unique_ptr<Provider> make_slurm_provider(SlurmProviderOptions options) {
  return std::make_unique<SlurmProvider>(std::move(options));
}

}  // namespace wf::provider
