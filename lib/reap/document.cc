#include "reap/document.h"

#include "util/error.h"

namespace wf::reap {

DocumentClaim document_claim(const io::Document& doc) {
  DocumentClaim claim;
  const io::Json* prov = doc.section("provision");
  std::string run_owner, prov_owner;
  if (const io::Json* run = doc.section("run"))
    if (auto id = io::get_string(*run, "run_id")) run_owner = *id;
  if (!prov) return claim;
  claim.has_provision = true;
  if (auto id = io::get_string(*prov, "run_id")) prov_owner = *id;
  // wf-run adopts the provisioned run's id, so the two agree in every document wf writes.
  if (!prov_owner.empty() && !run_owner.empty() && run_owner != prov_owner)
    claim.warning = fmt::format("run.run_id '{}' is not provision.run_id '{}': only rows of run '{}' are released",
                                run_owner, prov_owner, prov_owner);
  std::string owner = prov_owner.empty() ? run_owner : prov_owner;
  if (!owner.empty()) claim.owners.push_back(owner);
  const io::Json* list = io::get(*prov, "resources");
  if (!list) return claim;
  if (!list->IsArray())
    fail(util::Exit::data, "{}: provision.resources is {}, not a list", doc.locator().where("/provision/resources"),
         io::type_name(*list));
  for (rapidjson::SizeType i = 0; i < list->Size(); ++i) {
    auto id = io::get_string((*list)[i], "id");
    if (!id) {
      std::string pointer = io::pointer_join("/provision/resources", i);
      fail(util::Exit::data, "{}: provision.resources[{}] has no string 'id'", doc.locator().where(pointer), i);
    }
    claim.ids.emplace_back(*id);
  }
  return claim;
}

}  // namespace wf::reap
