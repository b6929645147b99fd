#include "run/slurm_journal.h"

#include <cerrno>
#include <cstring>
#include <map>

#include <fcntl.h>
#include <unistd.h>

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include "io/source.h"
#include "util/error.h"
#include "util/strings.h"

namespace wf::run {

SlurmJournal::SlurmJournal(const std::string& path) {
  fd_ = ::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
  if (fd_ < 0) fail(util::Exit::cant_create, "{}: cannot open the run journal: {}", path, std::strerror(errno));
}

SlurmJournal::~SlurmJournal() {
  if (fd_ >= 0) ::close(fd_);
}

void SlurmJournal::append(const SlurmJournalEntry& e) {
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> w(buffer);
  auto member = [&w](const char* key, const std::string& value) {
    if (value.empty()) return;
    w.Key(key);
    w.String(value.c_str(), static_cast<rapidjson::SizeType>(value.size()));
  };
  w.StartObject();
  member("event", e.event);
  member("task", e.task);
  w.Key("attempt");
  w.Int(e.attempt);
  member("job_id", e.job_id);
  member("executor", "slurm");
  member("status", e.status);
  member("fingerprint", e.fingerprint);
  w.EndObject();
  std::string line(buffer.GetString(), buffer.GetSize());
  line += '\n';
  // O_APPEND makes each write land whole at the end; one write per line.
  if (::write(fd_, line.data(), line.size()) != static_cast<ssize_t>(line.size()))
    fail(util::Exit::io, "run journal: write failed: {}", std::strerror(errno));
}

std::vector<SlurmJournalEntry> SlurmJournal::read(const std::string& path) {
  std::vector<SlurmJournalEntry> out;
  std::string text = io::read_source(path).text;
  for (const auto& line : util::split(text, '\n')) {
    if (line.empty()) continue;
    rapidjson::Document d;
    d.Parse(line.c_str(), line.size());
    if (d.HasParseError() || !d.IsObject()) continue;
    auto s = [&d](const char* k) { return d.HasMember(k) && d[k].IsString() ? std::string(d[k].GetString()) : std::string(); };
    SlurmJournalEntry e{s("event"), s("task"), 0, s("job_id"), s("status"), s("fingerprint")};
    if (d.HasMember("attempt") && d["attempt"].IsInt()) e.attempt = d["attempt"].GetInt();
    if (e.job_id.empty() || e.task.empty()) continue;
    out.push_back(std::move(e));
  }
  return out;
}

std::vector<SlurmResume> slurm_resume_state(const model::Workflow& wf, const std::vector<SlurmJournalEntry>& entries,
                                            const std::vector<std::string>& fingerprints) {
  std::map<std::string_view, size_t> index;
  for (size_t i = 0; i < wf.tasks.size(); ++i) index.emplace(wf.tasks[i].id, i);
  std::vector<SlurmResume> out(wf.tasks.size());
  for (const auto& e : entries) {
    auto it = index.find(e.task);
    if (it == index.end()) continue;
    SlurmResume& r = out[it->second];
    if (e.event == "started") {
      r.job_id = e.job_id;
      r.done = false;
      r.attempts = std::max(r.attempts, e.attempt - 1);
    } else if (e.event == "finished") {
      if (e.job_id == r.job_id) r.job_id.clear();
      r.attempts = std::max(r.attempts, e.attempt);
      r.done = e.status == "succeeded" && e.fingerprint == fingerprints[it->second];
    }
  }
  return out;
}

}  // namespace wf::run
