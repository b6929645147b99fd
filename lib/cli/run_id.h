#pragma once
// Run ids: "<workflow>-<UTC yyyymmddThhmmss>-<4 hex>". Made by wf-provision (which owns the
// resources under it) or by wf-run when nothing was provisioned; wf-run adopts a provisioned one.
#include <string>

namespace wf::cli {

std::string new_run_id(const std::string& workflow);

}  // namespace wf::cli
