#pragma once
// The invariants of plan::Catalog (catalog.h), checked on whatever a catalog reader returns.
#include <algorithm>
#include <cmath>
#include <tuple>

#include "fuzz.h"
#include "plan/catalog.h"

namespace wf::fuzz {

inline void check_catalog(const plan::Catalog& c) {
  auto by_name = [](const auto& a, const auto& b) { return a.name < b.name; };
  expect(std::is_sorted(c.types.begin(), c.types.end(), by_name), "types sorted by name");
  expect(std::adjacent_find(c.types.begin(), c.types.end(), [](const auto& a, const auto& b) { return a.name == b.name; }) ==
             c.types.end(), "type names unique");
  auto offer_key = [](const plan::Offer& o) { return std::tie(o.instance_type, o.region, o.option); };
  for (size_t i = 1; i < c.offers.size(); ++i)
    expect(offer_key(c.offers[i - 1]) < offer_key(c.offers[i]), "offers sorted and unique");
  for (const auto& o : c.offers) {
    expect(c.find_type(o.instance_type) != nullptr, "every offer's type is in the catalog");
    expect(std::isfinite(o.usd_per_hour) && o.usd_per_hour >= 0, "an offer's price is a finite, non-negative number");
  }
  for (const auto& t : c.types)
    expect(std::isfinite(t.vcpu) && t.vcpu > 0 && std::isfinite(t.mem_bytes) && t.mem_bytes > 0,
           "a type has a finite, positive vcpu count and memory");
  auto transfer_key = [](const plan::TransferPrice& t) { return std::tie(t.from_region, t.to_region); };
  for (size_t i = 1; i < c.transfers.size(); ++i)
    expect(transfer_key(c.transfers[i - 1]) < transfer_key(c.transfers[i]), "transfers sorted and unique");
  plan::Catalog twice = c;
  plan::merge(twice, c);
  expect(twice.types.size() == c.types.size() && twice.offers.size() == c.offers.size() &&
             twice.transfers.size() == c.transfers.size(), "a catalog merged with itself is itself");
  c.regions();
}

}  // namespace wf::fuzz
