#pragma once
// -p/--param NAME=VALUE: override (or add) a workflow param for this invocation.
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "io/document.h"

namespace wf::cli {

void add_param_option(CLI::App& app, std::vector<std::string>& params);
// Applies NAME=VALUE overrides to the workflow and stores it back into the document.
// A malformed override is a usage error (64).
void apply_params(io::Document& doc, const std::vector<std::string>& params);

}  // namespace wf::cli
