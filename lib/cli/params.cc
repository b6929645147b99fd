#include "cli/params.h"

#include <algorithm>

#include "util/error.h"
#include "util/strings.h"

namespace wf::cli {

void add_param_option(CLI::App& app, std::vector<std::string>& params) {
  // One NAME=VALUE per -p, so `-p a=1 FILE` leaves FILE to the input operand.
  app.add_option("-p,--param", params, "set param NAME to VALUE, over the workflow's and any task's (repeatable)")
      ->type_name("NAME=VALUE")
      ->allow_extra_args(false);
}

void apply_params(io::Document& doc, const std::vector<std::string>& params) {
  if (params.empty()) return;
  auto& wf = doc.mutable_workflow();
  for (const auto& kv : params) {
    size_t eq = kv.find('=');
    if (eq == std::string::npos || eq == 0)
      fail(util::Exit::usage, "--param '{}': expected NAME=VALUE", kv);
    model::Param p{kv.substr(0, eq), kv.substr(eq + 1), {}};
    p.number = util::parse_double(p.text);
    auto it = std::find_if(wf.params.begin(), wf.params.end(), [&](const auto& q) { return q.name == p.name; });
    if (it != wf.params.end()) *it = p;
    else wf.params.push_back(p);
    // The command line wins everywhere, as make's command-line variables do: a task's own param
    // of that name is overridden too.
    for (auto& t : wf.tasks)
      for (auto& q : t.params)
        if (q.name == p.name) q = p;
  }
  std::sort(wf.params.begin(), wf.params.end(), [](const auto& a, const auto& b) { return a.name < b.name; });
  doc.store_workflow();
}

}  // namespace wf::cli
