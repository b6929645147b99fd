// The YAML catalog format; see catalog.h.
#include <set>
#include <vector>

#include <yaml-cpp/yaml.h>

#include "plan/bytes.h"
#include "plan/catalog.h"
#include "util/error.h"
#include "util/strings.h"

namespace wf::plan {
namespace {

class YamlReader {
 public:
  explicit YamlReader(std::string name) : name_(std::move(name)) {}

  std::string place(const YAML::Node& n) const {
    const YAML::Mark m = n.Mark();
    if (m.line < 0) return name_;
    return fmt::format("{}:{}:{}", name_, m.line + 1, m.column + 1);
  }
  std::string line(const YAML::Node& n) const {
    const YAML::Mark m = n.Mark();
    return m.line < 0 ? name_ : fmt::format("{}:{}", name_, m.line + 1);
  }

  [[noreturn]] void bad(const YAML::Node& n, const std::string& what) const {
    throw Error(util::Exit::data, fmt::format("{}: {}", place(n), what));
  }

  void expect_map(const YAML::Node& n, std::string_view what) const {
    if (!n.IsMap()) bad(n, fmt::format("{} must be a mapping", what));
  }

  // A mapping's key; one that is itself a list or a mapping is an error.
  std::string key(const YAML::Node& k) const {
    if (!k.IsScalar()) bad(k, "a key must be a plain value");
    return k.Scalar();
  }

  // Refuses keys outside `allowed`, with a did-you-mean hint.
  void only_keys(const YAML::Node& map, const std::vector<std::string>& allowed) const {
    for (const auto& kv : map) {
      std::string key = this->key(kv.first);
      if (std::find(allowed.begin(), allowed.end(), key) != allowed.end()) continue;
      auto hint = util::closest(key, allowed);
      bad(kv.first, fmt::format("unknown key '{}'{}", key, hint ? fmt::format(" (did you mean '{}'?)", *hint) : ""));
    }
  }

  std::string text(const YAML::Node& map, const char* key, bool required) const {
    const YAML::Node v = map[key];
    if (!v) {
      if (required) bad(map, fmt::format("missing key '{}'", key));
      return {};
    }
    if (!v.IsScalar()) bad(v, fmt::format("'{}' must be a scalar", key));
    return v.Scalar();
  }

  std::optional<double> number(const YAML::Node& map, const char* key, bool required, bool positive) const {
    std::string s = text(map, key, required);
    if (s.empty() && !map[key]) return std::nullopt;
    auto d = util::parse_double(s);
    if (!d) bad(map[key], fmt::format("{}: '{}' is not a number", key, s));
    if (positive ? *d <= 0 : *d < 0)
      bad(map[key], fmt::format("{}: must be {}, found {}", key, positive ? "greater than 0" : "non-negative", s));
    return d;
  }

 private:
  std::string name_;
};

void read_region(const YamlReader& r, const YAML::Node& prices, const InstanceType& t, const std::string& region,
                 std::vector<Offer>& out) {
  r.expect_map(prices, fmt::format("region '{}' of type '{}'", region, t.name));
  r.only_keys(prices, {"on_demand", "on-demand", "spot", "spot_interruption", "reserved"});
  auto add = [&](PurchaseOption option, const char* key) {
    auto price = r.number(prices, key, false, true);
    if (!price) return;
    Offer o{t.name, region, option, *price, std::nullopt, r.line(prices[key])};
    if (option == PurchaseOption::spot) {
      std::string bucket = r.text(prices, "spot_interruption", false);
      o.interruption = bucket.empty() ? unknown_interruption() : interruption_from_bucket(bucket).value_or(Interruption{});
      if (!bucket.empty() && o.interruption->bucket.empty())
        r.bad(prices["spot_interruption"],
              fmt::format("spot_interruption: unknown bucket '{}' (expected one of {})", bucket, bucket_labels()));
    }
    out.push_back(std::move(o));
  };
  add(PurchaseOption::on_demand, prices["on-demand"] ? "on-demand" : "on_demand");
  add(PurchaseOption::spot, "spot");
  add(PurchaseOption::reserved, "reserved");
}

InstanceType read_type(const YamlReader& r, const YAML::Node& n, const std::string& provider) {
  r.expect_map(n, "a type");
  r.only_keys(n, {"name", "family", "vcpu", "memory", "gpu", "network_gbps", "burstable", "regions"});
  InstanceType t;
  t.name = r.text(n, "name", true);
  t.provider = provider;
  t.family = r.text(n, "family", false);
  t.vcpu = *r.number(n, "vcpu", true, true);
  std::string mem = r.text(n, "memory", true);
  auto bytes = parse_bytes(mem);
  if (!bytes || *bytes <= 0)
    r.bad(n["memory"], fmt::format("memory: '{}' is not a size with a unit such as 16GiB or 512MiB", mem));
  t.mem_bytes = *bytes;
  t.gpus = r.number(n, "gpu", false, false).value_or(0);
  t.network_gbps = r.number(n, "network_gbps", false, false).value_or(0);
  std::string burst = r.text(n, "burstable", false);
  if (!burst.empty() && burst != "true" && burst != "false")
    r.bad(n["burstable"], fmt::format("burstable: '{}' is not true or false", burst));
  t.burstable = burst == "true";
  t.source = r.line(n);
  return t;
}

void read_transfers(const YamlReader& r, const YAML::Node& list, std::vector<TransferPrice>& out) {
  if (!list.IsSequence()) r.bad(list, "'transfer' must be a list of {from, to, usd_per_gb}");
  for (const auto& n : list) {
    r.expect_map(n, "a transfer price");
    r.only_keys(n, {"from", "to", "usd_per_gb"});
    out.push_back({r.text(n, "from", true), r.text(n, "to", true), *r.number(n, "usd_per_gb", true, false), r.line(n)});
  }
}

YAML::Node load(std::string_view text, const std::string& name) {
  try {
    return YAML::Load(std::string(text));
  } catch (const YAML::Exception& e) {
    fail(util::Exit::data, "{}:{}:{}: {}", name, e.mark.line + 1, e.mark.column + 1, e.msg);
  }
}

}  // namespace

Catalog parse_catalog_yaml(std::string_view text, const std::string& name) {
  YamlReader r(name);
  const YAML::Node root = load(text, name);
  if (!root.IsMap()) fail(util::Exit::data, "{}: a catalog must be a mapping with a 'types' list", name);
  r.only_keys(root, {"provider", "types", "transfer"});
  std::string provider = root["provider"] ? r.text(root, "provider", false) : "custom";
  const YAML::Node types = root["types"];
  if (!types || !types.IsSequence()) r.bad(types ? types : root, "'types' must be a list of instance types");
  Catalog catalog;
  std::set<std::string> names;
  for (const auto& n : types) {
    InstanceType t = read_type(r, n, provider);
    if (!names.insert(t.name).second) r.bad(n["name"], fmt::format("type '{}' is defined twice", t.name));
    const YAML::Node regions = n["regions"];
    if (!regions || !regions.IsMap()) r.bad(regions ? regions : n, fmt::format("type '{}' needs a 'regions' mapping", t.name));
    for (const auto& kv : regions) read_region(r, kv.second, t, r.key(kv.first), catalog.offers);
    catalog.types.push_back(std::move(t));
  }
  if (root["transfer"]) read_transfers(r, root["transfer"], catalog.transfers);
  normalise(catalog);
  return catalog;
}

}  // namespace wf::plan
