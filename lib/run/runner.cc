#include "run/runner.h"

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <csignal>
#include <cstring>
#include <ctime>

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/error.h"
#include "util/log.h"

namespace wf::run {
namespace {

// The in-memory file a task writes a log into, or -1 when memfd is unavailable.
int log_memfd() {
#ifdef MFD_CLOEXEC
  return ::memfd_create("wf-task-log", MFD_CLOEXEC);
#else
  return -1;
#endif
}

double monotonic_s() {
  timespec ts{};
  ::clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

std::string fd_path(int fd) { return "/proc/self/fd/" + std::to_string(fd); }

// Restores a spec's log paths when start() returns or throws.
class PathsRestorer {
 public:
  explicit PathsRestorer(SpawnSpec& spec) : spec_(spec), out_(spec.stdout_path), err_(spec.stderr_path) {}
  PathsRestorer(const PathsRestorer&) = delete;
  PathsRestorer& operator=(const PathsRestorer&) = delete;
  ~PathsRestorer() {
    spec_.stdout_path.swap(out_);
    spec_.stderr_path.swap(err_);
  }

 private:
  SpawnSpec& spec_;
  std::string out_, err_;
};

}  // namespace

LocalRunner::LocalRunner() { become_subreaper(); }

LocalRunner::~LocalRunner() {
  for (auto& t : running_logs_) {
    drain(t.out, true);
    close_log(t.out);
    if (!t.shared) {
      drain(t.err, true);
      close_log(t.err);
    }
  }
}

pid_t LocalRunner::start(SpawnSpec& spec) {
  TaskLogs logs;
  logs.shared = !spec.stdout_path.empty() && spec.stdout_path == spec.stderr_path;
  auto prepare = [](Log& log, std::string& path) {
    if (path.empty()) return;
    log.path = path;
    log.mem_fd = log_memfd();
    if (log.mem_fd >= 0) path = fd_path(log.mem_fd);  // else spawn creates the file itself
  };
  pid_t pid = 0;
  {
    PathsRestorer restore(spec);
    prepare(logs.out, spec.stdout_path);
    if (logs.shared) spec.stderr_path = spec.stdout_path;
    else prepare(logs.err, spec.stderr_path);
    try {
      pid = spawn(spec);
    } catch (...) {
      close_log(logs.out);
      close_log(logs.err);
      throw;
    }
  }
  logs.pid = pid;
  running_logs_.push_back(std::move(logs));
  return pid;
}

std::optional<Exit> LocalRunner::wait(double timeout_s) {
  double until = monotonic_s() + timeout_s;
  auto ex = reaper_.wait_any(timeout_s);
  if (ex) {
    finish_logs(ex->pid, ex->status != 0);
    return ex;
  }
  // wait_any returns at once when we have no child at all (a retry's backoff with nothing else
  // running): sleep the rest, waking for a stop signal only.
  double left = until - monotonic_s();
  if (running_logs_.empty() && left > 0 && !stop_signal_) {
    if (int sig = reaper_.take_stop_signal()) {
      stop_signal_ = sig;
      return std::nullopt;
    }
    sigset_t stops;
    sigemptyset(&stops);
    for (int sig : {SIGINT, SIGTERM, SIGHUP}) sigaddset(&stops, sig);  // the Reaper's stop signals
    timespec ts{static_cast<time_t>(left), static_cast<long>((left - std::floor(left)) * 1e9)};
    if (int sig = ::sigtimedwait(&stops, nullptr, &ts); sig > 0) stop_signal_ = sig;
  }
  return std::nullopt;
}

int LocalRunner::take_stop_signal() {
  int sig = stop_signal_ ? stop_signal_ : reaper_.take_stop_signal();
  stop_signal_ = 0;
  return sig;
}

void LocalRunner::signal(pid_t pgid, int sig) {
  // Members that left the group (setsid in a task) are signalled one by one too.
  try {
    kill_group(pgid, sig);
  } catch (const Error&) {
  }
  for (pid_t pid : ProcSampler().members(pgid))
    if (pid > 1) ::kill(pid, sig);
}

void LocalRunner::end_group(pid_t pgid) {
  // The group outlives its leader only while a member is left; then no new process can take its
  // id, so this reaches that task's leftovers and nothing else. ESRCH (nobody left) is the rule.
  if (pgid > 1) ::kill(-pgid, SIGKILL);
}

void LocalRunner::sample(std::span<const pid_t> roots, std::vector<TaskUsage>& out) {
  // A sampler per pass: one kept between passes would keep a /proc/PID/stat descriptor open for
  // every process on the machine, and every spawn copies our descriptor table into the child
  // (and the child closes it again): ~15 µs per task at 150 processes, against ~2 ms per pass
  // to open them afresh every sample interval.
  ProcSampler(ProcfsOptions{}).sample(roots, out);
  for (auto& t : running_logs_) {
    drain(t.out, false);
    if (!t.shared) drain(t.err, false);
  }
}

LogFiles LocalRunner::logs(pid_t pid) {
  auto it = std::find_if(ended_logs_.begin(), ended_logs_.end(), [pid](const auto& e) { return e.first == pid; });
  if (it == ended_logs_.end()) return {};
  LogFiles files = it->second;
  ended_logs_.erase(it);
  return files;
}

void LocalRunner::finish_logs(pid_t pid, bool failed) {
  auto it = std::find_if(running_logs_.begin(), running_logs_.end(), [pid](const TaskLogs& t) { return t.pid == pid; });
  if (it == running_logs_.end()) return;  // not a task's root (an adopted orphan)
  auto exists = [](const Log& log) { return !log.path.empty() && !log.broken && (log.mem_fd < 0 || log.file_fd >= 0); };
  drain(it->out, failed);
  LogFiles files{exists(it->out), exists(it->out)};
  close_log(it->out);
  if (!it->shared) {
    drain(it->err, failed);
    files.err = exists(it->err);
    close_log(it->err);
  }
  running_logs_.erase(it);
  if (ended_logs_.size() > 64) ended_logs_.erase(ended_logs_.begin());  // never asked: keep it small
  ended_logs_.emplace_back(pid, files);
}

// Moves what the task wrote since the last drain from its memfd to its log file (created now if
// needed), then frees that part of the memfd.
void LocalRunner::drain(Log& log, bool create_empty) {
  if (log.mem_fd < 0 || log.broken) return;
  struct stat st {};
  if (::fstat(log.mem_fd, &st) != 0) return;
  auto size = static_cast<uint64_t>(st.st_size);
  if (size == log.copied && (log.file_fd >= 0 || !create_empty)) return;
  auto give_up = [&log](const char* what) {
    util::warn("log {}: cannot {}: {}", log.path, what, std::strerror(errno));
    log.broken = true;
  };
  if (log.file_fd < 0) {
    log.file_fd = ::open(log.path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (log.file_fd < 0) return give_up("create it");
  }
  if (size < log.copied) {  // the task truncated its own output: so does the log
    if (::ftruncate(log.file_fd, static_cast<off_t>(size)) != 0 || ::lseek(log.file_fd, static_cast<off_t>(size), SEEK_SET) < 0)
      return give_up("truncate it");
    log.copied = size;
  }
  // The log file's own position is always log.copied: sendfile and write both advance it.
  auto offset = static_cast<off_t>(log.copied);
  while (static_cast<uint64_t>(offset) < size) {
    ssize_t sent = ::sendfile(log.file_fd, log.mem_fd, &offset, size - static_cast<uint64_t>(offset));
    if (sent > 0) continue;
    if (sent == 0) break;
    if (errno == EINTR) continue;
    if (errno != EINVAL && errno != ENOSYS) return give_up("write it");
    buffer_.resize(1 << 16);  // sendfile refused this pair: copy by hand
    ssize_t got = ::pread(log.mem_fd, buffer_.data(), buffer_.size(), offset);
    if (got <= 0) break;
    if (::write(log.file_fd, buffer_.data(), static_cast<size_t>(got)) != got) return give_up("write it");
    offset += got;
  }
  log.copied = static_cast<uint64_t>(offset);
  // The copied part is no longer needed in memory (the task appends beyond it).
  ::fallocate(log.mem_fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, 0, offset);
}

void LocalRunner::close_log(Log& log) {
  if (log.mem_fd >= 0) ::close(log.mem_fd);
  if (log.file_fd >= 0) ::close(log.file_fd);
  log.mem_fd = log.file_fd = -1;
}

}  // namespace wf::run
