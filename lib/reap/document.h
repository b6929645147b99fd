#pragma once
// What a document says a run held: the ledger ids its provision section lists and the run that
// owns them (provision.run_id). Only these are trusted, and only to select ledger rows: a row is
// released when the ledger attributes it to that run, whatever else the document claims (providers,
// provider ids, per-resource owners are ignored).
#include <string>
#include <vector>

#include "io/document.h"

namespace wf::reap {

struct DocumentClaim {
  // provision.run_id; run.run_id only when the provision section names none. Empty: nothing is
  // released. A run section naming another run than the provision section does not add an owner.
  std::vector<std::string> owners;
  std::vector<std::string> ids;  // provision.resources[].id, in order
  bool has_provision = false;
  std::string warning;  // what looked tampered with, for a warning; empty when nothing did
};

// Exit 65 naming the place when provision.resources is not a list of objects with string ids.
DocumentClaim document_claim(const io::Document& doc);

}  // namespace wf::reap
