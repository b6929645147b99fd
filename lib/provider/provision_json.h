#pragma once
// The document's provision section, as far as the ledger is concerned (man wf(7)):
//
//   provision:
//     run_id: nightly-20261129T020000Z-1a2b    the owner recorded with every resource
//     resources:                               in creation order
//       - {id: res-..., provider: local, kind: lease, provider_id: res-..., state: active,
//          spec: {...}, resource: {...}, ttl_s: 600}
//
// wf-provision writes it (and adds its own keys: cpus, mem_bytes for wf-run); wf-reap reads the
// ids and the owner, and releases only ledger rows that match both (never a provider id taken from
// the document).
#include <span>
#include <string>

#include "io/json.h"
#include "provider/resource.h"

namespace wf::provider {

// Sets run_id and resources in `section` (an object), keeping its other keys.
void write_provision(io::Json& section, const std::string& run_id, std::span<const Resource> resources, io::Alloc& a);

// One resource as an object of that list.
io::Json resource_to_json(const Resource& r, io::Alloc& a);

}  // namespace wf::provider
