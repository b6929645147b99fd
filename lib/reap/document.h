#pragma once
// What a document says a run held: the ledger ids its provision section lists and the run ids it
// names (provision.run_id, run.run_id). Only these are trusted, and only to select ledger rows.
#include <string>
#include <vector>

#include "io/document.h"

namespace wf::reap {

struct DocumentClaim {
  std::vector<std::string> owners;  // provision.run_id, run.run_id (those present)
  std::vector<std::string> ids;     // provision.resources[].id, in order
  bool has_provision = false;
};

// Exit 65 naming the place when provision.resources is not a list of objects with string ids.
DocumentClaim document_claim(const io::Document& doc);

}  // namespace wf::reap
