#pragma once
// {{param}} placeholders in commands. In a shell string every substituted value is shell-quoted,
// so a parameter value can never inject a command; in an argv it is one argument, verbatim.
// Do not put quotes around a placeholder yourself: the value is quoted already.
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "model/workflow.h"

namespace wf::model {

// The names of the placeholders in a template, in order of appearance ("{{ a }}" -> "a").
std::vector<std::string> placeholders(std::string_view text);

// Substitutes every placeholder; `lookup` returns the value or nullopt for an unknown name, which
// is appended to *unknown (and left in place).
std::string substitute(std::string_view text, bool shell_quote_values,
                       const std::function<std::optional<std::string>(std::string_view)>& lookup,
                       std::vector<std::string>* unknown);

// The task's command with the workflow's and the task's params substituted.
Command render_command(const Workflow& wf, const Task& task);

// A printable form of a command ("a b 'c d'" for an argv).
std::string display(const Command& command);

}  // namespace wf::model
