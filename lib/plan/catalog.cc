#include "plan/catalog.h"

#include <algorithm>
#include <cmath>
#include <fstream>
#include <sstream>
#include <tuple>

#include "util/error.h"
#include "util/strings.h"

namespace wf::plan {
namespace {

auto offer_key(const Offer& o) { return std::tie(o.instance_type, o.region, o.option); }
auto transfer_key(const TransferPrice& t) { return std::tie(t.from_region, t.to_region); }

bool same_amount(double a, double b) { return std::fabs(a - b) <= 1e-9 * std::max(std::fabs(a), std::fabs(b)); }

// Sorts stably by key and keeps the last entry of each run of equal keys.
template <typename T, typename Key>
void sort_keep_last(std::vector<T>& v, Key key) {
  std::stable_sort(v.begin(), v.end(), [&](const T& a, const T& b) { return key(a) < key(b); });
  std::vector<T> out;
  for (auto& x : v) {
    if (!out.empty() && key(out.back()) == key(x))
      out.back() = std::move(x);
    else
      out.push_back(std::move(x));
  }
  v = std::move(out);
}

void add_type(Catalog& into, const InstanceType& t) {
  auto it = std::lower_bound(into.types.begin(), into.types.end(), t.name,
                             [](const InstanceType& a, const std::string& n) { return a.name < n; });
  if (it == into.types.end() || it->name != t.name) {
    into.types.insert(it, t);
    return;
  }
  auto clash = [&](const char* what, double here, double there) {
    if (!same_amount(here, there))
      fail(util::Exit::data, "{}: instance type '{}' has {} {} here but {} in {}", t.source, t.name,
           util::format_number(here), what, util::format_number(there), it->source);
  };
  clash("vcpu", t.vcpu, it->vcpu);
  clash("memory bytes", t.mem_bytes, it->mem_bytes);
  clash("gpus", t.gpus, it->gpus);
  if (it->network_gbps == 0) it->network_gbps = t.network_gbps;
}

}  // namespace

const InstanceType* Catalog::find_type(std::string_view name) const {
  auto it = std::lower_bound(types.begin(), types.end(), name,
                             [](const InstanceType& a, std::string_view n) { return a.name < n; });
  return it != types.end() && it->name == name ? &*it : nullptr;
}

const Offer* Catalog::find_offer(std::string_view type, std::string_view region, PurchaseOption option) const {
  auto key = std::make_tuple(type, region, option);
  auto it = std::lower_bound(offers.begin(), offers.end(), key, [](const Offer& o, const auto& k) {
    return std::make_tuple(std::string_view(o.instance_type), std::string_view(o.region), o.option) < k;
  });
  if (it == offers.end() || it->instance_type != type || it->region != region || it->option != option)
    return nullptr;
  return &*it;
}

std::optional<double> Catalog::transfer_usd_per_gb(std::string_view from, std::string_view to) const {
  for (const auto& t : transfers)
    if (t.from_region == from && t.to_region == to) return t.usd_per_gb;
  return std::nullopt;
}

std::vector<std::string> Catalog::regions() const {
  std::vector<std::string> out;
  for (const auto& o : offers) out.push_back(o.region);
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

void normalise(Catalog& catalog) {
  std::vector<InstanceType> types = std::move(catalog.types);
  catalog.types.clear();
  for (const auto& t : types) add_type(catalog, t);
  sort_keep_last(catalog.offers, offer_key);
  sort_keep_last(catalog.transfers, transfer_key);
}

void merge(Catalog& into, const Catalog& from) {
  for (const auto& t : from.types) add_type(into, t);
  into.offers.insert(into.offers.end(), from.offers.begin(), from.offers.end());
  into.transfers.insert(into.transfers.end(), from.transfers.begin(), from.transfers.end());
  sort_keep_last(into.offers, offer_key);
  sort_keep_last(into.transfers, transfer_key);
}

Catalog merge_all(const std::vector<Catalog>& catalogs) {
  Catalog out;
  for (const auto& c : catalogs) merge(out, c);
  return out;
}

Catalog read_catalog(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) fail(util::Exit::no_input, "{}: cannot read the catalog", path);
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) fail(util::Exit::io, "{}: read error", path);
  std::string lower = util::to_lower(path);
  if (util::ends_with(lower, ".csv")) return parse_catalog_csv(text.str(), path);
  if (util::ends_with(lower, ".yaml") || util::ends_with(lower, ".yml")) return parse_catalog_yaml(text.str(), path);
  fail(util::Exit::data, "{}: unknown catalog format (expected a .csv, .yaml or .yml file)", path);
}

}  // namespace wf::plan
