#pragma once
// scontrol's one-line records ("scontrol --oneliner show node|job|reservation"): Key=Value pairs
// separated by spaces, where a value may itself hold spaces ("Reason=Not responding [slurm@...]",
// "Command=/path with space"). A word starts a new pair only when it looks like "Key=": a letter,
// then letters, digits, ':', '/' or '_' up to the '='; any other word continues the previous value.
// Read by the Slurm executor (run) and the Slurm provider (provider) alike.
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace wf::util {

using SlurmFields = std::map<std::string, std::string>;

SlurmFields parse_fields(std::string_view line);
// One record per non-empty line.
std::vector<SlurmFields> parse_records(std::string_view text);

}  // namespace wf::util
