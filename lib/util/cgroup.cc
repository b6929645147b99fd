#include "util/cgroup.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <vector>

#include "util/strings.h"

namespace wf::util {
namespace fs = std::filesystem;
namespace {

std::optional<std::string> first_line(const fs::path& path) {
  std::ifstream in(path);
  std::string line;
  if (!in || !std::getline(in, line)) return std::nullopt;
  return line;
}

// A non-negative count in a cgroup file (bytes, microseconds), surrounding blanks allowed.
std::optional<uint64_t> parse_count(std::string_view s) {
  auto v = parse_int(trim(s));
  if (!v || *v < 0) return std::nullopt;
  return static_cast<uint64_t>(*v);
}

// The file cache of a memory.stat: its active and inactive file pages; nullopt when neither is there.
std::optional<uint64_t> file_cache(const fs::path& path, std::string_view active, std::string_view inactive) {
  std::ifstream in(path);
  std::string k, v;
  std::optional<uint64_t> sum;
  while (in >> k >> v)
    if (k == active || k == inactive)
      if (auto n = parse_count(v)) sum = sum.value_or(0) + *n;
  return sum;
}

// mountinfo escapes space, tab, newline and backslash as \ooo.
std::string unescape(std::string_view s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    auto octal = [&](size_t j) { return s[j] >= '0' && s[j] <= '7'; };
    if (s[i] == '\\' && i + 3 < s.size() && octal(i + 1) && octal(i + 2) && octal(i + 3)) {
      out += static_cast<char>((s[i + 1] - '0') * 64 + (s[i + 2] - '0') * 8 + (s[i + 3] - '0'));
      i += 3;
    } else {
      out += s[i];
    }
  }
  return out;
}

bool has_option(std::string_view options, std::string_view name) {
  for (auto o : split(options, ','))
    if (o == name) return true;
  return false;
}

struct Mount {
  std::string root, point;
};

// Whether cgroup path `path` is `root` or below it.
bool under(std::string_view path, std::string_view root) {
  if (root == "/") return !path.empty() && path[0] == '/';
  return path.substr(0, root.size()) == root && (path.size() == root.size() || path[root.size()] == '/');
}

// The mount of the v2 hierarchy (controller empty) or of the v1 hierarchy holding `controller`
// through which `path` can be seen: of several (a hierarchy bind-mounted again, a subtree of it),
// the one whose root is the longest that holds the path.
std::optional<Mount> find_mount(const fs::path& root, std::string_view controller, std::string_view path) {
  std::ifstream in(root / "proc/self/mountinfo");
  std::string line;
  std::optional<Mount> best;
  while (std::getline(in, line)) {
    auto dash = line.find(" - ");
    if (dash == std::string::npos) continue;
    std::istringstream before(line.substr(0, dash)), after(line.substr(dash + 3));
    std::string id, parent, dev, mroot, point, fstype, source, super;
    if (!(before >> id >> parent >> dev >> mroot >> point) || !(after >> fstype >> source >> super)) continue;
    bool match = controller.empty() ? fstype == "cgroup2" : fstype == "cgroup" && has_option(super, controller);
    if (!match) continue;
    Mount m{unescape(mroot), unescape(point)};
    if (under(path, m.root) && (!best || m.root.size() > best->root.size())) best = std::move(m);
  }
  return best;
}

// The path of this process's cgroup in the v2 hierarchy (controller empty) or the v1 one holding
// `controller`.
std::optional<std::string> find_path(const fs::path& root, std::string_view controller) {
  std::ifstream in(root / "proc/self/cgroup");
  std::string line;
  while (std::getline(in, line)) {
    auto a = line.find(':');
    auto b = a == std::string::npos ? a : line.find(':', a + 1);
    if (b == std::string::npos) continue;
    std::string_view controllers = std::string_view(line).substr(a + 1, b - a - 1);
    bool match = controller.empty() ? line.compare(0, a, "0") == 0 && controllers.empty() : has_option(controllers, controller);
    if (match) return line.substr(b + 1);
  }
  return std::nullopt;
}

// The directories from this process's cgroup up to its hierarchy's mount point, innermost first;
// none when no mount shows the cgroup.
std::vector<fs::path> levels(const fs::path& root, std::string_view controller) {
  auto path = find_path(root, controller);
  if (!path) return {};
  auto mount = find_mount(root, controller, *path);
  if (!mount) return {};
  // Without a cgroup namespace the mount's root is the container's own cgroup and the path starts
  // with it; with one, both are "/". A path that leaves the mount ("/../..": a cgroup outside the
  // namespace) cannot be read: the directories there are another cgroup's, not an ancestor's.
  std::string rel = mount->root == "/" ? *path : path->substr(mount->root.size());
  fs::path top = (root / fs::path(mount->point).relative_path()).lexically_normal();
  fs::path dir = (top / fs::path(rel).relative_path()).lexically_normal();
  std::vector<fs::path> out;
  auto inside = [&](const fs::path& p) {
    auto [t, _] = std::mismatch(top.begin(), top.end(), p.begin(), p.end());
    return t == top.end();
  };
  if (!inside(dir)) return {};
  for (fs::path p = dir;; p = p.parent_path()) {
    if (p.filename().empty()) p = p.parent_path();  // a trailing separator
    out.push_back(p);
    if (p == top || !inside(p.parent_path()) || p.parent_path() == p) break;
  }
  return out;
}

// CPUs of a quota and a period in microseconds; none for "max" (v2) or -1 (v1), or a malformed one.
std::optional<double> quota_cpus(std::string_view quota, std::string_view period) {
  auto q = parse_count(quota), p = parse_count(period);
  if (!q || !p || *q == 0 || *p == 0) return std::nullopt;
  return static_cast<double>(*q) / static_cast<double>(*p);
}

template <typename T>
void tighten(std::optional<T>& limit, std::optional<T> value) {
  if (value && (!limit || *value < *limit)) limit = value;
}

// A level's memory limit and what is left under it: the limit less the usage, the file cache
// (active and inactive) counted as free, which the kernel reclaims before it runs out — as
// /proc/meminfo's MemAvailable counts a host's.
void memory_level(CgroupLimits& out, std::optional<uint64_t> limit, std::optional<uint64_t> usage,
                  std::optional<uint64_t> file_cache) {
  if (!limit) return;
  tighten(out.mem_bytes, limit);
  uint64_t used = usage.value_or(0);
  used -= std::min(used, file_cache.value_or(0));
  tighten(out.mem_available_bytes, std::optional<uint64_t>(*limit - std::min(*limit, used)));
}

}  // namespace

std::optional<double> parse_cpu_max(std::string_view line) {
  auto fields = split(trim(line), ' ');
  if (fields.size() != 2) return std::nullopt;
  return quota_cpus(fields[0], fields[1]);
}

std::optional<uint64_t> parse_mem_limit(std::string_view line) {
  line = trim(line);
  if (line == "max") return std::nullopt;
  auto v = parse_count(line);
  if (!v || *v >= (uint64_t{1} << 62)) return std::nullopt;
  return v;
}

CgroupLimits cgroup_limits(const std::string& root_dir) {
  fs::path root = root_dir.empty() ? fs::path("/") : fs::path(root_dir);
  CgroupLimits out;
  for (const auto& dir : levels(root, "")) {  // v2
    if (auto l = first_line(dir / "cpu.max")) tighten(out.cpus, parse_cpu_max(*l));
    auto limit = first_line(dir / "memory.max");
    auto current = first_line(dir / "memory.current");
    memory_level(out, limit ? parse_mem_limit(*limit) : std::nullopt, current ? parse_count(*current) : std::nullopt,
                 file_cache(dir / "memory.stat", "active_file", "inactive_file"));
  }
  for (const auto& dir : levels(root, "cpu")) {  // v1
    auto quota = first_line(dir / "cpu.cfs_quota_us"), period = first_line(dir / "cpu.cfs_period_us");
    if (quota && period) tighten(out.cpus, quota_cpus(*quota, *period));
  }
  for (const auto& dir : levels(root, "memory")) {
    auto limit = first_line(dir / "memory.limit_in_bytes");
    auto usage = first_line(dir / "memory.usage_in_bytes");
    memory_level(out, limit ? parse_mem_limit(*limit) : std::nullopt, usage ? parse_count(*usage) : std::nullopt,
                 file_cache(dir / "memory.stat", "total_active_file", "total_inactive_file"));
  }
  return out;
}

}  // namespace wf::util
