#include "run/journal.h"

#include <cerrno>
#include <cstring>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
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

void Journal::append(const JournalEntry& e) {
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> w(buffer);
  w.StartObject();
  w.Key("event");
  w.String(e.event.c_str());
  w.Key("task");
  w.String(e.task.c_str(), static_cast<rapidjson::SizeType>(e.task.size()));
  w.Key("attempt");
  w.Int(e.attempt);
  if (e.pid) {
    w.Key("pid");
    w.Int(e.pid);
    w.Key("pid_start_ticks");
    w.Uint64(e.pid_start_ticks);
  }
  if (!e.status.empty()) {
    w.Key("status");
    w.String(e.status.c_str());
  }
  if (!e.fingerprint.empty()) {
    w.Key("fingerprint");
    w.String(e.fingerprint.c_str());
  }
  w.EndObject();
  std::string line(buffer.GetString(), buffer.GetSize());
  line += '\n';
  // O_APPEND makes each write land whole at the end; one write per line.
  if (::write(fd_, line.data(), line.size()) != static_cast<ssize_t>(line.size()))
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
