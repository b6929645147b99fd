#include "provider/slurm_sizing.h"

#include <algorithm>
#include <cmath>

#include <fmt/ranges.h>
#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include "model/units.h"
#include "provider/provider.h"
#include "util/strings.h"

namespace wf::provider {
namespace {

[[noreturn]] void bad(std::string_view kind, std::string_view what, std::string_view spec) {
  throw ProviderError(ProviderError::Kind::permanent, "bad_spec", fmt::format("slurm: {} spec {}: {}", kind, spec, what), true);
}

// A number, or a string in wf's units ("2GiB", "1h", "500m"), or nothing.
std::optional<double> quantity(const rapidjson::Value& obj, const char* key, std::string_view kind, std::string_view spec) {
  auto it = obj.FindMember(key);
  if (it == obj.MemberEnd() || it->value.IsNull()) return std::nullopt;
  if (it->value.IsNumber()) {
    double v = it->value.GetDouble();
    if (!(v >= 0) || !std::isfinite(v)) bad(kind, fmt::format("'{}' must be a non-negative number", key), spec);
    return v;
  }
  if (!it->value.IsString()) bad(kind, fmt::format("'{}' must be a number", key), spec);
  std::string_view text(it->value.GetString(), it->value.GetStringLength());
  std::string why, k(key);
  std::optional<double> v;
  if (k == "cpus") v = model::parse_cpus(text, &why);
  else if (k == "duration_s") v = model::parse_duration(text, &why);
  else if (auto b = model::parse_bytes(text, &why)) v = static_cast<double>(*b);
  if (!v) bad(kind, fmt::format("'{}': {}", key, why), spec);
  return v;
}

std::string text_at(const rapidjson::Value& obj, const char* key) {
  auto it = obj.FindMember(key);
  return it != obj.MemberEnd() && it->value.IsString() ? std::string(it->value.GetString(), it->value.GetStringLength()) : "";
}

rapidjson::Document parse_object(std::string_view kind, std::string_view spec) {
  rapidjson::Document d;
  d.Parse(spec.data(), spec.size());
  if (d.HasParseError() || !d.IsObject()) bad(kind, "not a JSON object", spec);
  if (text_at(d, "partition").empty()) bad(kind, "'partition' is required", spec);
  return d;
}

std::vector<const SlurmNodeInfo*> in_partition(const std::vector<SlurmNodeInfo>& nodes, const std::string& partition) {
  std::vector<const SlurmNodeInfo*> out;
  for (const auto& n : nodes)
    if (n.usable() && std::find(n.partitions.begin(), n.partitions.end(), partition) != n.partitions.end()) out.push_back(&n);
  return out;
}

[[noreturn]] void too_big(const std::string& partition, std::string_view what) {
  throw ProviderError(ProviderError::Kind::permanent, "too_big",
                      fmt::format("slurm: partition '{}' cannot hold the reservation: {}", partition, what), true);
}

}  // namespace

ReservationSpec parse_reservation_spec(std::string_view spec) {
  auto d = parse_object("reservation", spec);
  ReservationSpec r;
  r.partition = text_at(d, "partition");
  r.cpus = quantity(d, "cpus", "reservation", spec).value_or(0);
  r.mem_bytes = quantity(d, "mem_bytes", "reservation", spec).value_or(0);
  if (auto n = quantity(d, "nodes", "reservation", spec)) r.nodes = static_cast<int>(std::ceil(*n));
  r.duration_s = quantity(d, "duration_s", "reservation", spec).value_or(3600);
  r.users = text_at(d, "users");
  if (auto s = text_at(d, "start"); !s.empty()) r.start = s;
  if (r.cpus <= 0 && r.mem_bytes <= 0 && !r.nodes) bad("reservation", "give 'cpus' (and 'mem_bytes') or 'nodes'", spec);
  if (r.duration_s <= 0) bad("reservation", "'duration_s' must be positive", spec);
  return r;
}

NodeSpec parse_node_spec(std::string_view spec) {
  auto d = parse_object("node", spec);
  NodeSpec n;
  n.partition = text_at(d, "partition");
  if (auto c = quantity(d, "count", "node", spec)) n.count = static_cast<int>(std::ceil(*c));
  n.cpus = quantity(d, "cpus", "node", spec).value_or(0);
  n.mem_bytes = quantity(d, "mem_bytes", "node", spec).value_or(0);
  if (!n.count && n.cpus <= 0 && n.mem_bytes <= 0) bad("node", "give 'count', or 'cpus' and 'mem_bytes'", spec);
  return n;
}

ReservationShape shape_reservation(const ReservationSpec& spec, const std::vector<SlurmNodeInfo>& all) {
  auto nodes = in_partition(all, spec.partition);
  if (nodes.empty()) too_big(spec.partition, "it has no usable nodes");
  ReservationShape s;
  if (spec.nodes) {
    if (*spec.nodes > static_cast<int>(nodes.size())) too_big(spec.partition, fmt::format("{} nodes asked, {} there", *spec.nodes, nodes.size()));
    s.whole_nodes = true;
    s.node_count = std::max(1, *spec.nodes);
    return s;
  }
  int want = static_cast<int>(std::ceil(spec.cpus - 1e-9));
  double mem_left = spec.mem_bytes;
  int nodes_for_mem = 0;
  for (const auto* n : nodes) {
    if (mem_left <= 0) break;
    mem_left -= static_cast<double>(n->mem_bytes);
    ++nodes_for_mem;
  }
  if (mem_left > 0) too_big(spec.partition, fmt::format("{} of memory asked", model::format_bytes(spec.mem_bytes)));
  for (const auto* n : nodes) {
    if (want <= 0) break;
    int take = std::min(want, n->cpus);
    s.node_names.push_back(n->name);
    s.cores.push_back(take);
    want -= take;
  }
  if (want > 0) too_big(spec.partition, fmt::format("{} cpus asked", util::format_number(spec.cpus)));
  if (nodes_for_mem > static_cast<int>(s.node_names.size())) {
    s = ReservationShape{true, nodes_for_mem, {}, {}};
  }
  return s;
}

std::vector<std::string> reservation_words(const ReservationShape& shape, const std::string& partition) {
  if (shape.whole_nodes) return {"partitionname=" + partition, fmt::format("nodecnt={}", shape.node_count)};
  std::string cores;
  for (int c : shape.cores) cores += (cores.empty() ? "" : ",") + std::to_string(c);
  return {"partitionname=" + partition, fmt::format("nodes={}", fmt::join(shape.node_names, ",")), "corecnt=" + cores};
}

std::vector<std::string> nodes_to_warm(const NodeSpec& spec, const std::vector<SlurmNodeInfo>& all) {
  auto nodes = in_partition(all, spec.partition);
  double cpus = spec.cpus, mem = spec.mem_bytes;
  int count = spec.count.value_or(0);
  auto covered = [&] { return spec.count ? count <= 0 : cpus <= 0 && mem <= 0; };
  for (const auto* n : nodes)
    if (!n->powered_down() && !n->has("POWERING_DOWN") && !n->has("POWER_DOWN")) {
      --count;
      cpus -= n->cpus;
      mem -= static_cast<double>(n->mem_bytes);
    }
  std::vector<std::string> out;
  for (const auto* n : nodes) {
    if (covered()) break;
    if (!n->powered_down()) continue;
    out.push_back(n->name);
    --count;
    cpus -= n->cpus;
    mem -= static_cast<double>(n->mem_bytes);
  }
  return out;
}

std::optional<std::string> reservation_spec_for(const io::Json& prediction, const std::string& partition, double margin,
                                                double min_margin_s) {
  const io::Json* peaks = io::get(prediction, "peaks");
  const io::Json* cpus = peaks ? io::get(*peaks, "reserved_cpus") : nullptr;
  const io::Json* mem = peaks ? io::get(*peaks, "reserved_mem_bytes") : nullptr;
  const io::Json* makespan = io::get(prediction, "makespan_s");
  auto p95 = [](const io::Json* v) { return v ? io::get_number(*v, "p95") : std::nullopt; };
  if (!p95(cpus) || *p95(cpus) <= 0 || !p95(makespan)) return std::nullopt;
  double duration = *p95(makespan);
  duration += std::max(min_margin_s, duration * margin);
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> w(buffer);
  w.StartObject();
  w.Key("partition");
  w.String(partition.c_str(), static_cast<rapidjson::SizeType>(partition.size()));
  w.Key("cpus");
  w.Double(std::ceil(*p95(cpus) - 1e-9));
  w.Key("mem_bytes");
  w.Double(std::ceil(p95(mem).value_or(0)));
  w.Key("duration_s");
  w.Double(std::ceil(duration));
  w.EndObject();
  return std::string(buffer.GetString(), buffer.GetSize());
}

}  // namespace wf::provider
