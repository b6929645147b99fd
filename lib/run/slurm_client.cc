#include "run/slurm_client.h"

#include <cerrno>
#include <csignal>
#include <cstring>
#include <ctime>

#include <fcntl.h>
#include <poll.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include "util/error.h"
#include "util/strings.h"

extern char** environ;

namespace wf::run {
namespace {

double monotonic_s() {
  timespec ts{};
  ::clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

// Owns the two ends of a pipe until they are handed over or closed.
struct Pipe {
  int fd[2] = {-1, -1};
  Pipe() {
    if (::pipe2(fd, O_CLOEXEC) != 0) fail(util::Exit::io, "pipe: {}", std::strerror(errno));
  }
  ~Pipe() {
    for (int f : fd)
      if (f >= 0) ::close(f);
  }
  void close_end(int i) {
    if (fd[i] >= 0) ::close(fd[i]);
    fd[i] = -1;
  }
};

pid_t start(const std::vector<std::string>& argv, Pipe& out, Pipe& err) {
  posix_spawn_file_actions_t fa;
  posix_spawnattr_t attr;
  posix_spawn_file_actions_init(&fa);
  posix_spawnattr_init(&attr);
  posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_adddup2(&fa, out.fd[1], 1);
  posix_spawn_file_actions_adddup2(&fa, err.fd[1], 2);
  sigset_t none, all;
  sigemptyset(&none);
  sigfillset(&all);
  posix_spawnattr_setsigmask(&attr, &none);
  posix_spawnattr_setsigdefault(&attr, &all);
  posix_spawnattr_setpgroup(&attr, 0);
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETPGROUP);
  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  pid_t pid = 0;
  int rc = ::posix_spawnp(&pid, args[0], &fa, &attr, args.data(), environ);
  posix_spawn_file_actions_destroy(&fa);
  posix_spawnattr_destroy(&attr);
  if (rc != 0)
    fail(util::Exit::unavailable, "cannot run {}: {} (is this a Slurm client host? see wf-slurm(7))", argv[0], std::strerror(rc));
  return pid;
}

// Reads both pipes to their end, or until the deadline; true when the deadline passed first.
bool drain(Pipe& out, Pipe& err, SlurmCall& r, double deadline) {
  int fds[2] = {out.fd[0], err.fd[0]};
  std::string* into[2] = {&r.out, &r.err};
  char buf[8192];
  while (fds[0] >= 0 || fds[1] >= 0) {
    double left = deadline - monotonic_s();
    if (left <= 0) return true;
    pollfd p[2];
    nfds_t n = 0;
    int which[2];
    for (int i = 0; i < 2; ++i)
      if (fds[i] >= 0) {
        p[n] = {fds[i], POLLIN, 0};
        which[n++] = i;
      }
    int rc = ::poll(p, n, static_cast<int>(left * 1000) + 1);
    if (rc < 0 && errno == EINTR) continue;
    if (rc < 0) fail(util::Exit::io, "poll: {}", std::strerror(errno));
    for (nfds_t k = 0; k < n; ++k) {
      if (!(p[k].revents & (POLLIN | POLLHUP | POLLERR))) continue;
      ssize_t got = ::read(p[k].fd, buf, sizeof buf);
      if (got > 0) into[which[k]]->append(buf, static_cast<size_t>(got));
      else if (got == 0 || errno != EINTR) fds[which[k]] = -1;
    }
  }
  return false;
}

}  // namespace

std::string SlurmCall::first_error_line() const {
  for (const std::string* s : {&err, &out}) {
    for (const auto& line : util::split(*s, '\n'))
      if (!util::trim(line).empty()) return std::string(util::trim(line));
  }
  return fmt::format("exit status {}", exit_code);
}

SlurmCall RealSlurmClient::call(const std::vector<std::string>& argv) {
  if (argv.empty()) fail(util::Exit::software, "Slurm client call without a program");
  Pipe out, err;
  pid_t pid = start(argv, out, err);
  out.close_end(1);
  err.close_end(1);
  SlurmCall r;
  bool timed_out = drain(out, err, r, monotonic_s() + timeout_s_);
  if (timed_out) ::kill(-pid, SIGKILL);
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (WIFEXITED(status)) r.exit_code = WEXITSTATUS(status);
  else if (WIFSIGNALED(status)) r.exit_code = 128 + WTERMSIG(status);
  if (timed_out) r.err += fmt::format("\n{}: no answer in {} s: killed", argv[0], util::format_number(timeout_s_));
  return r;
}

std::string describe_call(const std::vector<std::string>& argv) {
  std::string out;
  for (const auto& a : argv) {
    if (!out.empty()) out += ' ';
    bool plain = !a.empty() && a.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_./,:=+@%") == std::string::npos;
    out += plain ? a : util::shell_quote(a);
  }
  return out;
}

}  // namespace wf::run
