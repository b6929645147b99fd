#pragma once
// Price catalogs: instance types and their offers (type x region x purchase option, a price per
// hour and, for spot, an interruption risk), plus inter-region transfer prices.
//
// CSV format (aws-ec2.csv, gcp-compute.csv): one row per instance type and region, columns found by
// name, extra columns ignored. Required: instance_type, region, vcpu, memory_gib. Optional:
// provider, family, gpu, network_gbps, ondemand_usd_per_hour, spot_usd_per_hour,
// spot_interruption_bucket (<5%, 5-10%, 10-15%, 15-20%, >20%), reserved_usd_per_hour, burstable
// (true/false; when the column is absent, AWS t-family types — t2, t3, t3a, t4g — are burstable).
// An empty price cell means the option is not offered there (no price was read); an empty gpu or
// network cell means 0 / unknown. A bucket without a spot price is ignored.
//
// YAML format (a user's own catalog; prices in USD per instance-hour):
//   provider: onprem                # optional, default "custom"
//   types:
//     - name: big.node              # required, unique in the file
//       family: big                 # optional
//       vcpu: 32                    # required, > 0
//       memory: 128GiB              # required, with a unit: B KiB MiB GiB TiB (binary) or KB MB GB TB
//       gpu: 0                      # optional, default 0
//       network_gbps: 10            # optional
//       burstable: false            # optional: vCPUs guaranteed only to a baseline share
//       regions:                    # region -> prices; a price left out is not offered there
//         site-a: {on_demand: 1.20, spot: 0.40, spot_interruption: 5-10%, reserved: 0.80}
//         site-c: {spot: 0.35, spot_interruption: ">20%"}   # quote "<5%" and ">20%" in YAML
//         site-b: {on_demand: 1.30}
//   transfer:                       # optional: USD per GB moved from one region to another
//     - {from: site-a, to: site-b, usd_per_gb: 0.02}
// `reserved` is a committed price per hour: a plan that uses it pays for the whole run.
// Unknown keys are errors (with a did-you-mean hint), so a misspelt price is never silently lost.
//
// Every error is a wf::Error with exit 65 naming file:line and the column or key.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "plan/interruption.h"
#include "plan/option.h"

namespace wf::plan {

struct InstanceType {
  std::string name;
  std::string provider;
  std::string family;
  double vcpu = 0;
  double mem_bytes = 0;
  double gpus = 0;
  double network_gbps = 0;  // 0 = unknown
  // Its vCPUs are guaranteed only up to a baseline share (t3.medium: 20%); a sustained load is
  // throttled or billed extra, so plans leave such types out unless the demand allows them.
  bool burstable = false;
  std::string source;       // "file:line" of the first definition, for messages
};

struct Offer {
  std::string instance_type;
  std::string region;
  PurchaseOption option = PurchaseOption::on_demand;
  double usd_per_hour = 0;
  std::optional<Interruption> interruption;  // set for spot offers only
  std::string source;
};

struct TransferPrice {
  std::string from_region;
  std::string to_region;
  double usd_per_gb = 0;
  std::string source;
};

// Invariants: `types` sorted by name and unique; `offers` sorted by (instance_type, region, option)
// and unique; every offer's type is in `types`; `transfers` sorted by (from, to) and unique.
struct Catalog {
  std::vector<InstanceType> types;
  std::vector<Offer> offers;
  std::vector<TransferPrice> transfers;

  const InstanceType* find_type(std::string_view name) const;
  const Offer* find_offer(std::string_view type, std::string_view region, PurchaseOption option) const;
  std::optional<double> transfer_usd_per_gb(std::string_view from, std::string_view to) const;
  std::vector<std::string> regions() const;  // sorted, unique
};

Catalog parse_catalog_csv(std::string_view text, const std::string& name);
Catalog parse_catalog_yaml(std::string_view text, const std::string& name);
// Reads a file and parses it by extension (.csv, .yaml, .yml). Exit 66 when it cannot be read,
// 65 for an unknown extension or bad content.
Catalog read_catalog(const std::string& path);

// Adds `from` to `into`. A later offer or transfer price replaces an earlier one for the same key
// (a site's negotiated prices overlay a public list); a type defined in both must agree on vcpu,
// memory and gpus, or the merge fails (exit 65) naming both sources.
void merge(Catalog& into, const Catalog& from);
Catalog merge_all(const std::vector<Catalog>& catalogs);

// Restores the sort/unique invariants after a parser appended entries (later entries win).
void normalise(Catalog& catalog);

}  // namespace wf::plan
