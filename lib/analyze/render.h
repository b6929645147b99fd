#pragma once
// The analysis for a person: a terminal summary, and Graphviz with the critical path highlighted.
#include <string>

#include "analyze/analysis.h"

namespace wf::analyze {

std::string render_table(const Analysis& an, const model::Workflow& wf);
std::string render_dot(const Analysis& an, const model::Workflow& wf, const model::Dag& dag);

// A one-line bar chart of values (block characters), for small text charts.
std::string sparkline(const std::vector<double>& values);

}  // namespace wf::analyze
