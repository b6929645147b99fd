#include "run/procfs.h"

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstring>

#include <fcntl.h>
#include <sys/resource.h>
#include <unistd.h>

#include "util/error.h"

namespace wf::run {
namespace {

constexpr int kUnresolved = -2;
constexpr int kNone = -1;
constexpr size_t kStatBytes = 1024;  // the fields up to rss fit with room to spare

// The next space-separated token of `s` from `pos`, advancing `pos` past it.
std::string_view next_token(std::string_view s, size_t& pos) {
  while (pos < s.size() && s[pos] == ' ') ++pos;
  size_t start = pos;
  while (pos < s.size() && s[pos] != ' ' && s[pos] != '\n') ++pos;
  return s.substr(start, pos - start);
}

bool to_int(std::string_view token, int64_t& value) {
  auto [end, ec] = std::from_chars(token.data(), token.data() + token.size(), value);
  return ec == std::errc() && end == token.data() + token.size();
}

uint64_t nonnegative(int64_t v) { return v < 0 ? 0 : static_cast<uint64_t>(v); }

// read() of a small /proc file into buf; the byte count, or -1 with errno set.
ssize_t read_small(int dir_fd, const char* path, char* buf, size_t cap) {
  int fd = ::openat(dir_fd, path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return -1;
  ssize_t n = ::read(fd, buf, cap);
  int saved = errno;
  ::close(fd);
  errno = saved;
  return n;
}

// "1234" + "/stat" into buf; false when the name is not all digits.
bool pid_path(const char* name, const char* file, char* buf, size_t cap) {
  size_t len = std::strlen(name);
  if (len == 0 || len + std::strlen(file) + 1 > cap) return false;
  for (size_t i = 0; i < len; ++i)
    if (name[i] < '0' || name[i] > '9') return false;
  std::memcpy(buf, name, len);
  std::strcpy(buf + len, file);
  return true;
}

}  // namespace

std::optional<ProcStat> parse_stat(std::string_view text) {
  size_t open = text.find('(');
  size_t close = text.rfind(')');
  if (open == std::string_view::npos || close == std::string_view::npos || close < open) return std::nullopt;
  ProcStat st;
  int64_t pid = 0;
  if (!to_int(text.substr(0, open > 0 ? open - 1 : 0), pid) || pid <= 0) return std::nullopt;
  st.pid = static_cast<pid_t>(pid);
  size_t pos = close + 1;
  std::string_view state = next_token(text, pos);
  if (state.size() != 1) return std::nullopt;
  st.state = state.front();
  // Fields 4..24 of proc(5): ppid pgrp session tty_nr tpgid flags minflt cminflt majflt cmajflt
  // utime stime cutime cstime priority nice num_threads itrealvalue starttime vsize rss.
  int64_t f[21];
  for (int64_t& v : f)
    if (!to_int(next_token(text, pos), v)) return std::nullopt;
  st.ppid = static_cast<pid_t>(f[0]);
  st.pgrp = static_cast<pid_t>(f[1]);
  st.session = static_cast<pid_t>(f[2]);
  st.utime_ticks = nonnegative(f[10]);
  st.stime_ticks = nonnegative(f[11]);
  st.cutime_ticks = nonnegative(f[12]);
  st.cstime_ticks = nonnegative(f[13]);
  st.start_ticks = nonnegative(f[18]);
  st.rss_pages = nonnegative(f[20]);
  return st;
}

std::optional<double> parse_loadavg_runnable(std::string_view text) {
  // Three averages, then "running/total".
  size_t pos = 0;
  for (int field = 0; field < 3; ++field) {
    pos = text.find(' ', pos);
    if (pos == std::string_view::npos) return std::nullopt;
    ++pos;
  }
  size_t slash = text.find('/', pos);
  if (slash == std::string_view::npos || slash == pos) return std::nullopt;
  uint64_t running = 0;
  auto [end, ec] = std::from_chars(text.data() + pos, text.data() + slash, running);
  if (ec != std::errc() || end != text.data() + slash) return std::nullopt;
  return running > 0 ? static_cast<double>(running - 1) : 0.0;
}

std::optional<HostLoad> read_host_load(const std::string& root) {
  std::string path = root + "/loadavg";
  char buf[128];
  ssize_t n = read_small(AT_FDCWD, path.c_str(), buf, sizeof buf);
  if (n <= 0) return std::nullopt;
  auto runnable = parse_loadavg_runnable(std::string_view(buf, static_cast<size_t>(n)));
  long cpus = ::sysconf(_SC_NPROCESSORS_ONLN);
  if (!runnable || cpus <= 0) return std::nullopt;
  return HostLoad{*runnable, static_cast<double>(cpus)};
}

std::optional<double> parse_cpu_pressure_some(std::string_view text) {
  if (text.substr(0, 5) != "some ") return std::nullopt;
  std::string_view line = text.substr(0, text.find('\n'));
  size_t at = line.find(" total=");
  if (at == std::string_view::npos) return std::nullopt;
  std::string_view digits = line.substr(at + 7);
  while (!digits.empty() && (digits.back() == ' ' || digits.back() == '\r')) digits.remove_suffix(1);
  uint64_t us = 0;
  auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), us);
  if (ec != std::errc() || end != digits.data() + digits.size() || digits.empty()) return std::nullopt;
  return static_cast<double>(us) / 1e6;
}

std::optional<double> read_cpu_pressure_s(const std::string& root) {
  std::string path = root + "/pressure/cpu";
  char buf[256];
  ssize_t n = read_small(AT_FDCWD, path.c_str(), buf, sizeof buf);
  if (n <= 0) return std::nullopt;
  return parse_cpu_pressure_some(std::string_view(buf, static_cast<size_t>(n)));
}

std::optional<ProcIo> parse_io(std::string_view text) {
  ProcIo io;
  bool have_rchar = false, have_wchar = false;
  size_t pos = 0;
  while (pos < text.size()) {
    size_t end = text.find('\n', pos);
    std::string_view line = text.substr(pos, end == std::string_view::npos ? end : end - pos);
    pos = end == std::string_view::npos ? text.size() : end + 1;
    size_t colon = line.find(':');
    if (colon == std::string_view::npos) continue;
    std::string_view key = line.substr(0, colon);
    size_t vpos = colon + 1;
    int64_t value = 0;
    if (!to_int(next_token(line, vpos), value)) continue;
    if (key == "rchar") io.rchar = nonnegative(value), have_rchar = true;
    else if (key == "wchar") io.wchar = nonnegative(value), have_wchar = true;
    else if (key == "read_bytes") io.read_bytes = nonnegative(value);
    else if (key == "write_bytes") io.write_bytes = nonnegative(value);
  }
  if (!have_rchar || !have_wchar) return std::nullopt;
  return io;
}

ProcSampler::ProcSampler(ProcfsOptions options) : options_(std::move(options)) {
  if (options_.ticks_per_s <= 0) options_.ticks_per_s = ::sysconf(_SC_CLK_TCK);
  if (options_.page_bytes <= 0) options_.page_bytes = ::sysconf(_SC_PAGESIZE);
  dir_ = ::opendir(options_.root.c_str());
  if (dir_ == nullptr) fail(util::Exit::io, "cannot read '{}': {}", options_.root, std::strerror(errno));
  rlimit limit{};
  ::getrlimit(RLIMIT_NOFILE, &limit);
  max_stat_fds_ = static_cast<size_t>(std::min<rlim_t>(limit.rlim_cur / 4, 4096));
}

ProcSampler::~ProcSampler() {
  for (const StatFd& s : stat_fds_) ::close(s.fd);
  ::closedir(dir_);
}

// Reads PID/stat into buf, through the descriptor kept from the last pass when there is one.
// `cursor` walks stat_fds_ alongside readdir's ascending pids; descriptors passed over belong to
// processes that are gone and are closed. Any order still works, only with fewer kept descriptors.
ssize_t ProcSampler::read_stat(pid_t pid, const char* name, size_t& cursor, char* buf, size_t cap) {
  while (cursor < stat_fds_.size() && stat_fds_[cursor].pid < pid) ::close(stat_fds_[cursor++].fd);
  int fd = -1;
  if (cursor < stat_fds_.size() && stat_fds_[cursor].pid == pid) fd = stat_fds_[cursor++].fd;
  ssize_t n = fd >= 0 ? ::pread(fd, buf, cap, 0) : -1;
  if (n <= 0) {  // none kept, or its process is gone (ESRCH even when the pid was reused)
    if (fd >= 0) ::close(fd);
    char path[64];
    if (!pid_path(name, "/stat", path, sizeof path)) return -1;
    fd = ::openat(::dirfd(dir_), path, O_RDONLY | O_CLOEXEC);
    n = fd >= 0 ? ::pread(fd, buf, cap, 0) : -1;
  }
  if (n > 0 && next_stat_fds_.size() < max_stat_fds_) {
    next_stat_fds_.push_back(StatFd{pid, fd});
  } else if (fd >= 0) {
    ::close(fd);
  }
  return n;
}

// Reads every PID/stat under the root into procs_, sorted by pid. Processes that vanish while
// we look are skipped: they are gone, and their times now show in their parent's cutime/cstime.
void ProcSampler::scan() {
  procs_.clear();
  next_stat_fds_.clear();
  ::rewinddir(dir_);
  size_t cursor = 0;
  char buf[kStatBytes];
  while (const dirent* entry = ::readdir(dir_)) {
    int64_t pid = 0;
    if (!to_int(entry->d_name, pid) || pid <= 0) continue;
    ssize_t n = read_stat(static_cast<pid_t>(pid), entry->d_name, cursor, buf, sizeof buf);
    if (n <= 0) continue;
    if (auto st = parse_stat(std::string_view(buf, static_cast<size_t>(n))))
      procs_.push_back(Proc{*st, kUnresolved});
  }
  while (cursor < stat_fds_.size()) ::close(stat_fds_[cursor++].fd);
  stat_fds_.swap(next_stat_fds_);
  auto by_pid = [](const Proc& a, const Proc& b) { return a.stat.pid < b.stat.pid; };
  if (!std::is_sorted(procs_.begin(), procs_.end(), by_pid))  // /proc lists pids in order already
    std::sort(procs_.begin(), procs_.end(), by_pid);
}

long ProcSampler::find(pid_t pid) const {
  auto it = std::lower_bound(procs_.begin(), procs_.end(), pid,
                             [](const Proc& p, pid_t v) { return p.stat.pid < v; });
  return it != procs_.end() && it->stat.pid == pid ? it - procs_.begin() : -1;
}

int ProcSampler::root_index(pid_t pid) const {
  auto it = std::lower_bound(roots_.begin(), roots_.end(), std::make_pair(pid, size_t{0}));
  return it != roots_.end() && it->first == pid ? static_cast<int>(it - roots_.begin()) : kNone;
}

// The task of procs_[i]: the nearest process on its ppid chain that is a root or in a root's group.
// Every process on the walked chain gets the answer, so each is visited about once per pass.
int ProcSampler::resolve(size_t i) {
  chain_.clear();
  int task = kNone;
  for (long j = static_cast<long>(i); j >= 0;) {
    Proc& p = procs_[static_cast<size_t>(j)];
    if (p.task != kUnresolved) {
      task = p.task;
      break;
    }
    chain_.push_back(static_cast<size_t>(j));
    if ((task = root_index(p.stat.pid)) != kNone || (task = root_index(p.stat.pgrp)) != kNone) break;
    if (chain_.size() > procs_.size()) break;  // a cycle: only a broken fake /proc has one
    j = p.stat.ppid > 0 ? find(p.stat.ppid) : -1;
  }
  for (size_t k : chain_) procs_[k].task = task;
  return task;
}

void ProcSampler::attribute(std::span<const pid_t> roots) {
  roots_.clear();
  for (size_t i = 0; i < roots.size(); ++i) roots_.emplace_back(roots[i], i);
  std::sort(roots_.begin(), roots_.end());
  scan();
  for (size_t i = 0; i < procs_.size(); ++i) resolve(i);
}

void ProcSampler::add_io(pid_t pid, TaskUsage& usage) const {
  char name[16];
  char path[64];
  auto [end, ec] = std::to_chars(name, name + sizeof name - 1, pid);
  *end = '\0';
  char buf[512];
  ssize_t n = pid_path(name, "/io", path, sizeof path) ? read_small(::dirfd(dir_), path, buf, sizeof buf) : -1;
  std::optional<ProcIo> io;
  if (n > 0) io = parse_io(std::string_view(buf, static_cast<size_t>(n)));
  if (!io) {
    if (n > 0 || (errno != ENOENT && errno != ESRCH)) usage.io_complete = false;  // gone is fine
    return;
  }
  usage.read_bytes += io->rchar;
  usage.write_bytes += io->wchar;
  usage.disk_read_bytes += io->read_bytes;
  usage.disk_write_bytes += io->write_bytes;
}

void ProcSampler::sample(std::span<const pid_t> roots, std::vector<TaskUsage>& out) {
  attribute(roots);
  out.assign(roots.size(), TaskUsage{});
  for (size_t i = 0; i < roots.size(); ++i) out[i].root = roots[i];
  const double tick_s = 1.0 / static_cast<double>(options_.ticks_per_s);
  const uint64_t page = static_cast<uint64_t>(options_.page_bytes);
  for (const Proc& p : procs_) {
    if (p.task < 0) continue;
    TaskUsage& u = out[roots_[static_cast<size_t>(p.task)].second];
    const ProcStat& st = p.stat;
    if (st.state != 'Z') ++u.processes;
    u.rss_bytes += st.rss_pages * page;
    u.cpu_s += static_cast<double>(st.utime_ticks + st.stime_ticks + st.cutime_ticks + st.cstime_ticks) * tick_s;
    add_io(st.pid, u);
  }
}

std::vector<TaskUsage> ProcSampler::sample(std::span<const pid_t> roots) {
  std::vector<TaskUsage> out;
  sample(roots, out);
  return out;
}

std::vector<pid_t> ProcSampler::members(pid_t root) {
  const pid_t roots[] = {root};
  attribute(roots);
  std::vector<pid_t> pids;
  for (const Proc& p : procs_)
    if (p.task == 0) pids.push_back(p.stat.pid);
  return pids;
}

}  // namespace wf::run
