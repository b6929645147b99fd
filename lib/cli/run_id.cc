#include "cli/run_id.h"

#include <cctype>
#include <random>

#include <fmt/format.h>

#include "util/clock.h"

namespace wf::cli {

std::string new_run_id(const std::string& workflow) {
  std::random_device rd;
  std::string name;
  for (char c : workflow.empty() ? std::string("run") : workflow)
    name += (std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_') ? c : '-';
  if (!std::isalnum(static_cast<unsigned char>(name[0]))) name.insert(0, "run");  // never an option-like or hidden name
  if (name.size() > 40) name.resize(40);
  std::string compact;
  for (char c : util::iso8601(util::real_clock().wall()))
    if (std::isdigit(static_cast<unsigned char>(c)) || c == 'T') compact += c;
  return fmt::format("{}-{}-{:04x}", name, compact, rd() & 0xffff);
}

}  // namespace wf::cli
