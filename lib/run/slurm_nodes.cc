#include "run/slurm_nodes.h"

#include <algorithm>
#include <cmath>

#include <fmt/ranges.h>

#include "util/scontrol_fields.h"
#include "util/error.h"
#include "util/log.h"
#include "util/strings.h"

namespace wf::run {

bool SlurmNode::has(std::string_view flag) const {
  for (const auto& w : util::split(state, '+'))
    if (w == flag) return true;
  return false;
}

bool SlurmNode::powering_up() const { return has("POWER_UP") || has("POWERING_UP"); }
bool SlurmNode::powering_down() const { return has("POWERING_DOWN") || has("POWER_DOWN"); }
bool SlurmNode::powered_down() const { return has("POWERED_DOWN") && !powering_up() && !powering_down(); }
bool SlurmNode::unusable() const {
  if (powering_up()) return false;
  return has("DOWN") || has("DRAIN") || has("DRAINED") || has("DRAINING") || has("FAIL") || has("FAILING") ||
         has("NOT_RESPONDING") || has("REBOOT_REQUESTED") || has("REBOOT_ISSUED");
}
bool SlurmNode::up() const { return !powered_down() && !powering_up() && !powering_down() && !unusable(); }

std::vector<SlurmNode> partition_nodes(SlurmClient& client, const std::string& partition) {
  std::vector<std::string> argv = {"scontrol", "--oneliner", "show", "node"};
  SlurmCall r = client.call(argv);
  if (!r.ok()) fail(util::Exit::unavailable, "scontrol show node failed: {}", r.first_error_line());
  std::vector<SlurmNode> out;
  for (auto& f : util::parse_records(r.out)) {
    bool member = false;
    for (const auto& p : util::split(f["Partitions"], ',')) member = member || p == partition;
    if (!member || f["NodeName"].empty()) continue;
    SlurmNode n;
    n.name = f["NodeName"];
    n.cpus = static_cast<int>(util::parse_int(f["CPUTot"]).value_or(0));
    n.mem_bytes = static_cast<uint64_t>(util::parse_int(f["RealMemory"]).value_or(0)) << 20;
    n.state = f["State"];
    out.push_back(std::move(n));
  }
  std::sort(out.begin(), out.end(), [](const SlurmNode& a, const SlurmNode& b) { return a.name < b.name; });
  return out;
}

std::string default_partition(SlurmClient& client) {
  SlurmCall r = client.call({"scontrol", "--oneliner", "show", "partition"});
  if (!r.ok()) fail(util::Exit::unavailable, "scontrol show partition failed: {}", r.first_error_line());
  for (auto& f : util::parse_records(r.out))
    if (f["Default"] == "YES") return f["PartitionName"];
  return "";
}

std::vector<std::string> nodes_to_power_up(const std::vector<SlurmNode>& nodes, double cpus, double mem_bytes) {
  if (!(cpus > 0) && !(mem_bytes > 0)) return {};
  auto covered = [&] { return cpus <= 0 && mem_bytes <= 0; };
  for (const auto& n : nodes)
    if (n.up() || n.powering_up()) {
      cpus -= n.cpus;
      mem_bytes -= static_cast<double>(n.mem_bytes);
    }
  std::vector<std::string> out;
  for (bool second_pass : {false, true})
    for (const auto& n : nodes) {
      if (covered()) return out;
      if (second_pass ? !n.powering_down() : !n.powered_down()) continue;
      out.push_back(n.name);
      cpus -= n.cpus;
      mem_bytes -= static_cast<double>(n.mem_bytes);
    }
  return out;
}

PrewarmResult prewarm(SlurmClient& client, StopWaiter& waiter, util::Clock& clock, const std::string& partition,
                      double cpus, double mem_bytes, double timeout_s, double poll_s) {
  PrewarmResult res;
  double t0 = clock.monotonic();
  auto nodes = partition_nodes(client, partition);
  res.nodes = nodes_to_power_up(nodes, cpus, mem_bytes);
  // Nodes already booting (asked by the slurm provider, or by another run) are waited for too.
  std::vector<std::string> awaited = res.nodes;
  for (const auto& n : nodes)
    if (n.powering_up()) awaited.push_back(n.name);
  if (awaited.empty()) {
    res.ready = true;
    return res;
  }
  if (!res.nodes.empty()) util::note("powering up {} in partition {} before submitting", fmt::join(res.nodes, ","), partition);
  std::vector<std::string> asked;
  for (;;) {
    size_t ready = 0;
    for (const auto& n : nodes) {
      if (std::find(awaited.begin(), awaited.end(), n.name) == awaited.end()) continue;
      if (n.up()) ++ready;
      if (!n.powered_down() || std::find(asked.begin(), asked.end(), n.name) != asked.end()) continue;
      // A node still powering down ignores a power-up: it is asked once it is down.
      SlurmCall r = client.call({"scontrol", "update", "nodename=" + n.name, "state=power_up"});
      if (!r.ok()) util::warn("scontrol update nodename={} state=power_up: {}", n.name, r.first_error_line());
      asked.push_back(n.name);
    }
    res.waited_s = clock.monotonic() - t0;
    if (ready == awaited.size()) {
      res.ready = true;
      return res;
    }
    if (res.waited_s >= timeout_s) {
      util::warn("nodes {} not up after {} s; submitting anyway", fmt::join(awaited, ","), util::format_number(std::round(res.waited_s)));
      return res;
    }
    if ((res.signal = waiter.wait(poll_s)) != 0) return res;
    nodes = partition_nodes(client, partition);
  }
}

}  // namespace wf::run
