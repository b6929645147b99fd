#include "provider/subprocess.h"

#include <cerrno>
#include <csignal>
#include <cstring>
#include <ctime>

#include <fcntl.h>
#include <poll.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fmt/format.h>

#include "provider/provider.h"
#include "util/sigpipe.h"

namespace wf::provider {
namespace {

double now_s() {
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

struct Fd {
  int fd = -1;
  Fd() = default;
  explicit Fd(int f) : fd(f) {}
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  ~Fd() { close(); }
  void close() {
    if (fd >= 0) ::close(fd);
    fd = -1;
  }
};

void make_pipe(Fd& read_end, Fd& write_end) {
  int fds[2];
  if (pipe2(fds, O_CLOEXEC) != 0)
    throw ProviderError(ProviderError::Kind::unavailable, "spawn", fmt::format("cannot create a pipe: {}", std::strerror(errno)));
  read_end.fd = fds[0];
  write_end.fd = fds[1];
}

pid_t spawn(const std::vector<std::string>& argv, const std::vector<std::string>& env, int in, int out, int err) {
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, in, 0);
  posix_spawn_file_actions_adddup2(&actions, out, 1);
  posix_spawn_file_actions_adddup2(&actions, err, 2);
  posix_spawn_file_actions_addclosefrom_np(&actions, 3);
  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
  posix_spawnattr_setpgroup(&attr, 0);
  sigset_t none, all;
  sigemptyset(&none);
  sigfillset(&all);
  posix_spawnattr_setsigmask(&attr, &none);
  posix_spawnattr_setsigdefault(&attr, &all);
  std::vector<char*> args, envp;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  for (const auto& e : env) envp.push_back(const_cast<char*>(e.c_str()));
  envp.push_back(nullptr);
  pid_t pid = 0;
  int rc = posix_spawn(&pid, argv.front().c_str(), &actions, &attr, args.data(), envp.data());
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attr);
  if (rc != 0)
    throw ProviderError(ProviderError::Kind::unavailable, "spawn",
                        fmt::format("cannot run {}: {}", argv.front(), std::strerror(rc)));
  return pid;
}

// Kills the group: SIGTERM, then SIGKILL after `grace` unless the leader is gone by then. Reaps it.
int kill_group(pid_t pid, double grace_s, bool reaped, int status) {
  ::kill(-pid, SIGTERM);
  double until = now_s() + grace_s;
  while (!reaped && now_s() < until) {
    if (waitpid(pid, &status, WNOHANG) == pid) reaped = true;
    else poll(nullptr, 0, 10);
  }
  ::kill(-pid, SIGKILL);
  if (!reaped)
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
  return status;
}

class RealRunner final : public ProgramRunner {
 public:
  ProgramResult run(const std::vector<std::string>& argv, const std::vector<std::string>& env, std::string_view input,
                    const ProgramOptions& o) override {
    util::SigpipeGuard guard;
    Fd in_r, in_w, out_r, out_w, err_r, err_w;
    make_pipe(in_r, in_w);
    make_pipe(out_r, out_w);
    make_pipe(err_r, err_w);
    double start = now_s();
    pid_t pid = spawn(argv, env, in_r.fd, out_w.fd, err_w.fd);
    in_r.close();
    out_w.close();
    err_w.close();
    for (int fd : {in_w.fd, out_r.fd, err_r.fd}) fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
    if (input.empty()) in_w.close();

    ProgramResult result;
    size_t written = 0;
    bool reaped = false;
    double deadline = start + o.timeout_s, exited_at = 0;
    char buf[16384];
    while (out_r.fd >= 0 || err_r.fd >= 0 || !reaped) {
      if (!reaped && waitpid(pid, &result.wait_status, WNOHANG) == pid) {
        reaped = true;
        exited_at = now_s();
      }
      double now = now_s();
      if (now >= deadline) {
        result.timed_out = true;
        break;
      }
      // Descendants still holding the pipes after the program exited: stop waiting for them.
      if (reaped && now - exited_at > o.kill_grace_s) break;
      pollfd fds[3];
      nfds_t n = 0;
      if (in_w.fd >= 0) fds[n++] = {in_w.fd, POLLOUT, 0};
      if (out_r.fd >= 0) fds[n++] = {out_r.fd, POLLIN, 0};
      if (err_r.fd >= 0) fds[n++] = {err_r.fd, POLLIN, 0};
      int wait_ms = static_cast<int>(std::min(deadline - now, 0.05) * 1000) + 1;
      if (n == 0) {
        poll(nullptr, 0, std::min(wait_ms, 10));
        continue;
      }
      if (poll(fds, n, wait_ms) < 0 && errno != EINTR) break;
      if (in_w.fd >= 0) {
        ssize_t w = ::write(in_w.fd, input.data() + written, input.size() - written);
        if (w > 0) written += static_cast<size_t>(w);
        if ((w < 0 && errno != EAGAIN && errno != EINTR) || written == input.size()) in_w.close();
      }
      if (drain(out_r, result.out, o.max_output_bytes, true, buf, sizeof buf)) {
        result.output_overflow = true;
        break;
      }
      drain(err_r, result.err, o.max_error_bytes, false, buf, sizeof buf);
    }
    bool stray = reaped && (out_r.fd >= 0 || err_r.fd >= 0);
    if (result.timed_out || result.output_overflow || stray)
      result.wait_status = kill_group(pid, result.timed_out || result.output_overflow ? o.kill_grace_s : 0, reaped,
                                      result.wait_status);
    result.elapsed_s = now_s() - start;
    return result;
  }

 private:
  // Reads what is there; closes at EOF or error. Output beyond `limit` is dropped; with `fatal`
  // the first such byte ends the reading and true is returned.
  static bool drain(Fd& fd, std::string& into, size_t limit, bool fatal, char* buf, size_t size) {
    while (fd.fd >= 0) {
      ssize_t r = ::read(fd.fd, buf, size);
      if (r > 0) {
        size_t take = std::min(static_cast<size_t>(r), limit - std::min(limit, into.size()));
        into.append(buf, take);
        if (take < static_cast<size_t>(r) && fatal) return true;
        continue;
      }
      if (r < 0 && (errno == EAGAIN || errno == EINTR)) return false;
      fd.close();
    }
    return false;
  }
};

}  // namespace

bool ProgramResult::exited() const { return !timed_out && !output_overflow && WIFEXITED(wait_status); }
int ProgramResult::exit_code() const { return WEXITSTATUS(wait_status); }
int ProgramResult::term_signal() const { return WIFSIGNALED(wait_status) ? WTERMSIG(wait_status) : 0; }

ProgramRunner& real_runner() {
  static RealRunner runner;
  return runner;
}

std::string signal_name(int signal) {
  const char* abbrev = sigabbrev_np(signal);
  return abbrev ? fmt::format("SIG{}", abbrev) : fmt::format("signal {}", signal);
}

}  // namespace wf::provider
