#include "provider/slurm_scontrol.h"

#include <algorithm>

#include <fmt/ranges.h>

#include "provider/exec_provider.h"
#include "provider/provider.h"
#include "util/strings.h"

extern char** environ;

namespace wf::provider {
namespace {

std::string one_line(std::string text) {
  text = std::string(util::trim(text));
  for (char& c : text)
    if (c == '\n' || c == '\r') c = ' ';
  return text;
}

}  // namespace

bool SlurmNodeInfo::has(std::string_view flag) const {
  for (const auto& w : util::split(state, '+'))
    if (w == flag) return true;
  return false;
}
bool SlurmNodeInfo::powering() const {
  return has("POWER_UP") || has("POWERING_UP") || has("POWERING_DOWN") || has("POWER_DOWN");
}
bool SlurmNodeInfo::powered_down() const { return has("POWERED_DOWN") && !powering(); }
bool SlurmNodeInfo::usable() const {
  return !(has("DRAIN") || has("DRAINED") || has("DRAINING") || has("FAIL") || has("FAILING") ||
           (has("DOWN") && !has("POWERED_DOWN")));
}

Scontrol::Scontrol(ScontrolOptions options) : options_(std::move(options)) {
  if (options_.environment.empty())
    for (char** e = environ; e && *e; ++e) options_.environment.emplace_back(*e);
  std::string path;
  for (const auto& e : options_.environment)
    if (util::starts_with(e, "PATH=")) path = e.substr(5);
  program_ = options_.program.find('/') != std::string::npos
                 ? options_.program
                 : resolve_program(options_.program, path.empty() ? "/usr/bin:/bin" : path);
}

ProgramResult Scontrol::run(const std::vector<std::string>& args) {
  std::vector<std::string> argv = {program_};
  argv.insert(argv.end(), args.begin(), args.end());
  ProgramOptions po;
  po.timeout_s = options_.timeout_s;
  ProgramRunner& runner = options_.runner ? *options_.runner : real_runner();
  ProgramResult r = runner.run(argv, options_.environment, "", po);
  if (r.timed_out)
    throw ProviderError(ProviderError::Kind::timeout, "timeout",
                        fmt::format("slurm: scontrol {} gave no answer in {} s", fmt::join(args, " "), options_.timeout_s));
  if (!r.exited())
    throw ProviderError(ProviderError::Kind::unavailable, "killed",
                        fmt::format("slurm: scontrol {} was killed by {}", fmt::join(args, " "), signal_name(r.term_signal())));
  return r;
}

void Scontrol::must(const std::vector<std::string>& args, std::string_view what) {
  ProgramResult r = run(args);
  if (r.exit_code() != 0)
    throw ProviderError(ProviderError::Kind::permanent, "scontrol",
                        fmt::format("slurm: {}: {}", what, one_line(r.err.empty() ? r.out : r.err)));
}

std::vector<SlurmRecord> Scontrol::show(std::string_view what, std::string_view name) {
  std::vector<std::string> args = {"--oneliner", "show", std::string(what)};
  if (!name.empty()) args.emplace_back(name);
  ProgramResult r = run(args);
  std::string text = r.out + r.err;
  if (r.exit_code() != 0) {
    if (text.find("not found") != std::string::npos || text.find("Invalid") != std::string::npos) return {};
    throw ProviderError(ProviderError::Kind::unavailable, "scontrol",
                        fmt::format("slurm: scontrol show {}: {}", what, one_line(text)));
  }
  std::vector<SlurmRecord> out;
  for (const auto& line : util::split(r.out, '\n')) {
    auto rec = util::parse_fields(line);
    if (rec.size() > 1) out.push_back(std::move(rec));  // "No reservations in the system" has no pairs
  }
  return out;
}

std::vector<SlurmNodeInfo> Scontrol::nodes() {
  std::vector<SlurmNodeInfo> out;
  for (auto& r : show("node")) {
    SlurmNodeInfo n;
    n.name = r["NodeName"];
    n.cpus = static_cast<int>(util::parse_int(r["CPUTot"]).value_or(0));
    n.mem_bytes = static_cast<uint64_t>(util::parse_int(r["RealMemory"]).value_or(0)) << 20;
    n.state = r["State"];
    n.partitions = util::split(r["Partitions"], ',');
    n.comment = r["Comment"] == "(null)" ? "" : r["Comment"];
    if (!n.name.empty()) out.push_back(std::move(n));
  }
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.name < b.name; });
  return out;
}

}  // namespace wf::provider
