// The CSV catalog format; see catalog.h.
#include <cctype>
#include <map>
#include <tuple>

#include "plan/catalog.h"
#include "util/csv.h"
#include "util/error.h"
#include "util/strings.h"

namespace wf::plan {
namespace {

constexpr double kBytesPerGib = 1024.0 * 1024.0 * 1024.0;

enum class Need { required, optional };
enum class Sign { positive, non_negative };

class RowReader {
 public:
  RowReader(const util::Csv& csv, size_t row) : csv_(csv), row_(row) {}

  std::string place() const { return fmt::format("{}:{}", csv_.name(), csv_.line(row_)); }

  std::string text(std::optional<size_t> col, const char* name, Need need) const {
    std::string v = col ? std::string(util::trim(csv_.at(row_, *col))) : std::string();
    if (v.empty() && need == Need::required) fail(util::Exit::data, "{}:{}: empty, a value is required", place(), name);
    return v;
  }

  // nullopt for an empty cell (not offered / unknown).
  std::optional<double> number(std::optional<size_t> col, const char* name, Need need, Sign sign) const {
    std::string v = text(col, name, need);
    if (v.empty()) return std::nullopt;
    auto d = util::parse_double(v);
    if (!d) fail(util::Exit::data, "{}:{}: '{}' is not a number", place(), name, v);
    if (sign == Sign::positive && *d <= 0) fail(util::Exit::data, "{}:{}: must be greater than 0, found {}", place(), name, v);
    if (sign == Sign::non_negative && *d < 0) fail(util::Exit::data, "{}:{}: must not be negative, found {}", place(), name, v);
    return d;
  }

 private:
  const util::Csv& csv_;
  size_t row_;
};

struct Columns {
  std::optional<size_t> provider, region, type, family, vcpu, memory_gib, gpu, network, ondemand, spot, bucket, reserved,
      burstable;
};

Columns find_columns(const util::Csv& csv) {
  Columns c;
  auto required = [&](const char* n) {
    auto col = csv.column(n);
    if (!col) fail(util::Exit::data, "{}:1: missing column '{}'", csv.name(), n);
    return col;
  };
  c.type = required("instance_type");
  c.region = required("region");
  c.vcpu = required("vcpu");
  c.memory_gib = required("memory_gib");
  c.provider = csv.column("provider");
  c.family = csv.column("family");
  c.gpu = csv.column("gpu");
  c.network = csv.column("network_gbps");
  c.ondemand = csv.column("ondemand_usd_per_hour");
  c.spot = csv.column("spot_usd_per_hour");
  c.bucket = csv.column("spot_interruption_bucket");
  c.reserved = csv.column("reserved_usd_per_hour");
  c.burstable = csv.column("burstable");
  return c;
}

// AWS's burstable families: t2, t3, t3a, t4g (the family is the type name before the dot).
bool aws_burstable(const InstanceType& t) {
  std::string family = t.family.empty() ? t.name.substr(0, t.name.find('.')) : t.family;
  return t.provider == "aws" && family.size() >= 2 && family[0] == 't' && std::isdigit(static_cast<unsigned char>(family[1]));
}

InstanceType read_type(const RowReader& r, const Columns& c) {
  InstanceType t;
  t.name = r.text(c.type, "instance_type", Need::required);
  t.provider = r.text(c.provider, "provider", Need::optional);
  t.family = r.text(c.family, "family", Need::optional);
  t.vcpu = *r.number(c.vcpu, "vcpu", Need::required, Sign::positive);
  t.mem_bytes = *r.number(c.memory_gib, "memory_gib", Need::required, Sign::positive) * kBytesPerGib;
  t.gpus = r.number(c.gpu, "gpu", Need::optional, Sign::non_negative).value_or(0);
  t.network_gbps = r.number(c.network, "network_gbps", Need::optional, Sign::non_negative).value_or(0);
  t.source = r.place();
  std::string burst = util::to_lower(r.text(c.burstable, "burstable", Need::optional));
  if (burst.empty())
    t.burstable = aws_burstable(t);
  else if (burst == "true" || burst == "1" || burst == "yes")
    t.burstable = true;
  else if (burst != "false" && burst != "0" && burst != "no")
    fail(util::Exit::data, "{}:burstable: '{}' is not true or false", r.place(), burst);
  return t;
}

void read_offers(const RowReader& r, const Columns& c, const InstanceType& t, const std::string& region,
                 std::vector<Offer>& out) {
  auto add = [&](PurchaseOption option, std::optional<double> price) {
    if (!price) return;
    Offer o;
    o.instance_type = t.name;
    o.region = region;
    o.option = option;
    o.usd_per_hour = *price;
    o.source = r.place();
    out.push_back(std::move(o));
  };
  add(PurchaseOption::on_demand, r.number(c.ondemand, "ondemand_usd_per_hour", Need::optional, Sign::positive));
  add(PurchaseOption::reserved, r.number(c.reserved, "reserved_usd_per_hour", Need::optional, Sign::positive));
  auto spot = r.number(c.spot, "spot_usd_per_hour", Need::optional, Sign::positive);
  std::string bucket = r.text(c.bucket, "spot_interruption_bucket", Need::optional);
  std::optional<Interruption> risk;
  if (!bucket.empty()) {
    risk = interruption_from_bucket(bucket);
    if (!risk)
      fail(util::Exit::data, "{}:spot_interruption_bucket: unknown bucket '{}' (expected one of {})", r.place(),
           bucket, bucket_labels());
  }
  if (!spot) return;
  add(PurchaseOption::spot, spot);
  out.back().interruption = risk ? *risk : unknown_interruption();
}

}  // namespace

Catalog parse_catalog_csv(std::string_view text, const std::string& name) {
  util::Csv csv = util::Csv::parse(text, name);
  Columns cols = find_columns(csv);
  Catalog catalog;
  std::map<std::pair<std::string, std::string>, size_t> seen;  // (type, region) -> line
  for (size_t row = 0; row < csv.rows(); ++row) {
    RowReader r(csv, row);
    InstanceType t = read_type(r, cols);
    std::string region = r.text(cols.region, "region", Need::required);
    auto [it, fresh] = seen.emplace(std::make_pair(t.name, region), csv.line(row));
    if (!fresh)
      fail(util::Exit::data, "{}: instance type '{}' in region '{}' is already given on line {}", r.place(), t.name,
           region, it->second);
    read_offers(r, cols, t, region, catalog.offers);
    catalog.types.push_back(std::move(t));
  }
  normalise(catalog);
  return catalog;
}

}  // namespace wf::plan
