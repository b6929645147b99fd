#include "run/journal.h"

#include <cerrno>
#include <cmath>
#include <cstring>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <rapidjson/document.h>
#include <rapidjson/writer.h>

#include "io/source.h"
#include "run/procfs.h"
#include "util/error.h"
#include "util/strings.h"

namespace wf::run {

Journal::Journal(const std::string& path) {
  fd_ = ::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
  if (fd_ < 0) fail(util::Exit::cant_create, "{}: cannot open the run journal: {}", path, std::strerror(errno));
}

Journal::~Journal() {
  if (fd_ >= 0) ::close(fd_);
}

namespace {

// A rapidjson output stream appending to a std::string (kept between lines: no allocation).
struct StringOut {
  using Ch = char;
  std::string* s;
  void Put(char c) { s->push_back(c); }
  void Flush() {}
};

void write_result(rapidjson::Writer<StringOut>& w, const AttemptResult& r) {
  if (r.exit_code) {
    w.Key("exit_code");
    w.Int(*r.exit_code);
  }
  if (r.signal) {
    w.Key("signal");
    w.Int(r.signal);
  }
  w.Key("start_s");
  w.Double(r.start_s);
  w.Key("runtime_s");
  w.Double(r.runtime_s);
  w.Key("cpu_time_s");
  w.Double(r.cpu_time_s);
  w.Key("peak_rss_bytes");
  w.Uint64(r.peak_rss_bytes);
  w.Key("read_bytes");
  w.Uint64(r.read_bytes);
  w.Key("write_bytes");
  w.Uint64(r.write_bytes);
  w.Key("cpus");
  w.Double(r.reserved.cpus);
  w.Key("mem_bytes");
  w.Double(r.reserved.mem_bytes);
  if (r.host_runnable && r.host_cpus) {
    w.Key("host_runnable");
    w.Double(*r.host_runnable);
    w.Key("host_cpus");
    w.Double(*r.host_cpus);
  }
}

std::optional<AttemptResult> read_result(const rapidjson::Document& d, const std::string& status) {
  auto number = [&d](const char* k) -> std::optional<double> {
    return d.HasMember(k) && d[k].IsNumber() ? std::optional<double>(d[k].GetDouble()) : std::nullopt;
  };
  auto count = [&d](const char* k) -> uint64_t { return d.HasMember(k) && d[k].IsUint64() ? d[k].GetUint64() : 0; };
  auto start = number("start_s"), runtime = number("runtime_s");
  if (status.empty() || !start || !runtime) return std::nullopt;  // a journal from before measurements
  AttemptResult r;
  r.status = status;
  if (d.HasMember("exit_code") && d["exit_code"].IsInt()) r.exit_code = d["exit_code"].GetInt();
  if (d.HasMember("signal") && d["signal"].IsInt()) r.signal = d["signal"].GetInt();
  r.start_s = *start;
  r.runtime_s = *runtime;
  r.end_s = r.start_s + r.runtime_s;
  r.cpu_time_s = number("cpu_time_s").value_or(0);
  r.peak_rss_bytes = count("peak_rss_bytes");
  r.read_bytes = count("read_bytes");
  r.write_bytes = count("write_bytes");
  r.reserved.cpus = number("cpus").value_or(0);
  r.reserved.mem_bytes = number("mem_bytes").value_or(0);
  if (auto runnable = number("host_runnable"), cpus = number("host_cpus");
      runnable && cpus && *runnable >= 0 && *cpus > 0) {
    r.host_runnable = runnable;
    r.host_cpus = cpus;
  }
  return r;
}

}  // namespace

void Journal::append(const JournalEntry& e) {
  line_.clear();
  StringOut out{&line_};
  rapidjson::Writer<StringOut> w(out);
  w.StartObject();
  w.Key("event");
  w.String(e.event.c_str(), static_cast<rapidjson::SizeType>(e.event.size()));
  w.Key("task");
  w.String(e.task.c_str(), static_cast<rapidjson::SizeType>(e.task.size()));
  w.Key("attempt");
  w.Int(e.attempt);
  if (e.pid) {
    w.Key("pid");
    w.Int(e.pid);
  }
  if (e.pid_start_ticks) {
    w.Key("pid_start_ticks");
    w.Uint64(e.pid_start_ticks);
  }
  if (e.started_at > 0) {
    w.Key("t");
    w.Double(e.started_at);
  }
  if (!e.status.empty()) {
    w.Key("status");
    w.String(e.status.c_str(), static_cast<rapidjson::SizeType>(e.status.size()));
  }
  if (e.result) write_result(w, *e.result);
  if (!e.fingerprint.empty()) {
    w.Key("fingerprint");
    w.String(e.fingerprint.c_str(), static_cast<rapidjson::SizeType>(e.fingerprint.size()));
  }
  w.EndObject();
  write_line();
}

void Journal::append_started(std::string_view task, int attempt, pid_t pid, double started_at) {
  line_.clear();
  StringOut out{&line_};
  rapidjson::Writer<StringOut> w(out);
  w.StartObject();
  w.Key("event");
  w.String("started");
  w.Key("task");
  w.String(task.data(), static_cast<rapidjson::SizeType>(task.size()));
  w.Key("attempt");
  w.Int(attempt);
  w.Key("pid");
  w.Int(pid);
  w.Key("t");
  w.Double(started_at);
  w.EndObject();
  write_line();
}

void Journal::append_finished(std::string_view task, int attempt, pid_t pid, const AttemptResult& result,
                              std::string_view fingerprint) {
  line_.clear();
  StringOut out{&line_};
  rapidjson::Writer<StringOut> w(out);
  w.StartObject();
  w.Key("event");
  w.String("finished");
  w.Key("task");
  w.String(task.data(), static_cast<rapidjson::SizeType>(task.size()));
  w.Key("attempt");
  w.Int(attempt);
  if (pid) {
    w.Key("pid");
    w.Int(pid);
  }
  w.Key("status");
  w.String(result.status.c_str(), static_cast<rapidjson::SizeType>(result.status.size()));
  write_result(w, result);
  if (!fingerprint.empty()) {
    w.Key("fingerprint");
    w.String(fingerprint.data(), static_cast<rapidjson::SizeType>(fingerprint.size()));
  }
  w.EndObject();
  write_line();
}

void Journal::write_line() {
  line_ += '\n';
  // O_APPEND makes each write land whole at the end; one write per line.
  if (::write(fd_, line_.data(), line_.size()) != static_cast<ssize_t>(line_.size()))
    fail(util::Exit::io, "run journal: write failed: {}", std::strerror(errno));
}

std::vector<JournalEntry> Journal::read(const std::string& path) {
  std::vector<JournalEntry> out;
  std::string text = io::read_source(path).text;
  for (const auto& line : util::split(text, '\n')) {
    if (line.empty()) continue;
    rapidjson::Document d;
    d.Parse(line.c_str(), line.size());
    if (d.HasParseError() || !d.IsObject()) continue;  // a torn line from a crash
    JournalEntry e;
    auto s = [&d](const char* k) { return d.HasMember(k) && d[k].IsString() ? std::string(d[k].GetString()) : std::string(); };
    e.event = s("event");
    e.task = s("task");
    e.status = s("status");
    e.fingerprint = s("fingerprint");
    if (d.HasMember("attempt") && d["attempt"].IsInt()) e.attempt = d["attempt"].GetInt();
    if (d.HasMember("pid") && d["pid"].IsInt()) e.pid = d["pid"].GetInt();
    if (d.HasMember("pid_start_ticks") && d["pid_start_ticks"].IsUint64()) e.pid_start_ticks = d["pid_start_ticks"].GetUint64();
    if (e.event == "started" && d.HasMember("t") && d["t"].IsNumber()) e.started_at = d["t"].GetDouble();
    if (e.event == "finished") e.result = read_result(d, e.status);
    out.push_back(std::move(e));
  }
  return out;
}

std::string fingerprint(const std::string& command, const std::vector<std::string>& input_paths, const std::string& cwd) {
  // FNV-1a over the command and each input's path, size and mtime: a change detector, not a
  // security boundary.
  uint64_t h = 1469598103934665603ull;
  auto mix = [&h](std::string_view s) {
    for (unsigned char c : s) {
      h ^= c;
      h *= 1099511628211ull;
    }
    h ^= 0xff;
    h *= 1099511628211ull;
  };
  mix(command);
  for (const auto& p : input_paths) {
    std::string full = !p.empty() && p[0] != '/' && !cwd.empty() ? cwd + "/" + p : p;
    struct stat st {};
    mix(p);
    if (::stat(full.c_str(), &st) == 0)
      mix(fmt::format("{}:{}.{}", st.st_size, st.st_mtim.tv_sec, st.st_mtim.tv_nsec));
    else
      mix("missing");
  }
  return fmt::format("{:016x}", h);
}

std::optional<uint64_t> process_start_ticks(pid_t pid) {
  char path[64];
  std::snprintf(path, sizeof path, "/proc/%d/stat", static_cast<int>(pid));
  int fd = ::open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return std::nullopt;
  char buf[1024];
  ssize_t n = ::read(fd, buf, sizeof buf - 1);
  ::close(fd);
  if (n <= 0) return std::nullopt;
  auto st = parse_stat(std::string_view(buf, static_cast<size_t>(n)));
  if (!st || st->state == 'Z') return std::nullopt;
  return st->start_ticks;
}

}  // namespace wf::run

namespace wf::run {
namespace {

// /proc/stat's btime: the boot time in epoch seconds, or 0.
double boot_time_s() {
  static const double btime = [] {
    int fd = ::open("/proc/stat", O_RDONLY | O_CLOEXEC);
    if (fd < 0) return 0.0;
    std::string text;
    char buf[4096];
    for (ssize_t n; (n = ::read(fd, buf, sizeof buf)) > 0;) text.append(buf, static_cast<size_t>(n));
    ::close(fd);
    size_t at = text.find("\nbtime ");
    if (at == std::string::npos) return 0.0;
    at += 7;
    return util::parse_double(util::trim(std::string_view(text).substr(at, text.find('\n', at) - at))).value_or(0.0);
  }();
  return btime;
}

}  // namespace

bool still_running(const JournalEntry& e) {
  if (e.pid <= 1) return false;
  auto ticks = process_start_ticks(e.pid);
  if (!ticks) return false;
  if (e.pid_start_ticks) return *ticks == e.pid_start_ticks;
  double boot = boot_time_s();
  if (e.started_at <= 0 || boot <= 0) return false;
  double started = boot + static_cast<double>(*ticks) / static_cast<double>(::sysconf(_SC_CLK_TCK));
  return std::abs(started - e.started_at) <= 2.0;
}

}  // namespace wf::run
