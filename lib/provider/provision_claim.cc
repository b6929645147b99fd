#include "provider/provision_claim.h"

#include <fstream>
#include <random>
#include <sstream>

#include <sys/stat.h>
#include <unistd.h>

#include <fmt/format.h>

#include "util/strings.h"

namespace wf::provider {
namespace {

// This boot's id (/proc/sys/kernel/random/boot_id), its first 12 hex digits; "none" when unreadable.
std::string boot_id() {
  std::ifstream in("/proc/sys/kernel/random/boot_id");
  std::string id, hex;
  std::getline(in, id);
  for (char c : id)
    if (std::isxdigit(static_cast<unsigned char>(c)) && hex.size() < 12) hex += c;
  return hex.size() == 12 ? hex : "none";
}

// The inode of this process's pid namespace; 0 when unknown.
unsigned long long pid_namespace() {
  struct stat st {};
  return stat("/proc/self/ns/pid", &st) == 0 ? static_cast<unsigned long long>(st.st_ino) : 0;
}

struct Holder {
  std::string boot;
  unsigned long long pidns = 0;
  pid_t pid = 0;
  unsigned long long start = 0;
};

std::optional<Holder> parse(std::string_view claim_id) {
  auto parts = util::split(claim_id, '-');
  if (parts.size() != 6 || parts[0] != "claim" || parts[1].size() != 12) return std::nullopt;
  Holder h;
  h.boot = parts[1];
  try {
    size_t used = 0;
    h.pidns = std::stoull(parts[2], &used);
    if (used != parts[2].size()) return std::nullopt;
    long long pid = std::stoll(parts[3], &used);
    if (used != parts[3].size() || pid <= 0) return std::nullopt;
    h.pid = static_cast<pid_t>(pid);
    h.start = std::stoull(parts[4], &used);
    if (used != parts[4].size()) return std::nullopt;
  } catch (const std::exception&) {
    return std::nullopt;
  }
  return h;
}

}  // namespace

std::optional<unsigned long long> process_start_ticks(pid_t pid) {
  std::ifstream in(fmt::format("/proc/{}/stat", pid));
  std::string line;
  if (!std::getline(in, line)) return std::nullopt;
  // The command name (field 2) may hold spaces and parentheses: count fields after the last ')'.
  auto close = line.rfind(')');
  if (close == std::string::npos) return std::nullopt;
  std::istringstream rest(line.substr(close + 1));
  std::string field;
  for (int i = 3; i <= 22; ++i) {
    if (!(rest >> field)) return std::nullopt;
    if (i == 22) return std::stoull(field);
  }
  return std::nullopt;
}

std::string new_claim_id() {
  static thread_local std::random_device device;
  pid_t pid = getpid();
  return fmt::format("claim-{}-{}-{}-{}-{:08x}", boot_id(), pid_namespace(), pid, process_start_ticks(pid).value_or(0),
                     device());
}

bool claim_holder_gone(std::string_view claim_id) {
  auto h = parse(claim_id);
  if (!h || h->boot == "none" || h->boot != boot_id() || h->pidns == 0 || h->pidns != pid_namespace()) return false;
  auto start = process_start_ticks(h->pid);
  return !start || *start != h->start;
}

}  // namespace wf::provider
