#include "alert/spawn.h"

#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <cstring>

#include <fcntl.h>
#include <poll.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "util/error.h"

extern char** environ;

namespace wf::alert {

// Resolved in the parent: the children may only make async-signal-safe calls.
std::string resolve_program(const std::string& program) {
  if (program.find('/') != std::string::npos) return program;
  const char* path = std::getenv("PATH");
  std::string dirs = path && *path ? path : "/usr/local/bin:/usr/bin:/bin";
  size_t start = 0;
  while (start <= dirs.size()) {
    size_t end = dirs.find(':', start);
    if (end == std::string::npos) end = dirs.size();
    std::string dir = dirs.substr(start, end - start);
    std::string candidate = (dir.empty() ? "." : dir) + "/" + program;
    if (::access(candidate.c_str(), X_OK) == 0) return candidate;
    start = end + 1;
  }
  fail(util::Exit::unavailable, "alert command: '{}' not found in PATH", program);
}

namespace {

struct Pipe {
  int r = -1, w = -1;
};

void close_all(std::initializer_list<int> fds) {
  for (int fd : fds)
    if (fd >= 0) ::close(fd);
}

bool read_int(int fd, int& value) {
  ssize_t n;
  while ((n = ::read(fd, &value, sizeof value)) < 0 && errno == EINTR) {
  }
  return n == static_cast<ssize_t>(sizeof value);
}

void write_int(int fd, int value) { [[maybe_unused]] ssize_t n = ::write(fd, &value, sizeof value); }

// In the waiter (a copy of this process: async-signal-safe calls only). Starts the command, sends
// its pid, waits for it, sends its wait status.
[[noreturn]] void be_waiter(const char* path, char* const* args, Pipe in, Pipe out, Pipe err, Pipe status) {
  close_all({in.w, out.r, err.r, status.r});  // the parent's ends: the command must see EOF on stdin
  long pid = ::syscall(SYS_clone, static_cast<long>(SIGCHLD), nullptr, nullptr, nullptr, nullptr);
  if (pid == 0) {
    sigset_t none;
    sigemptyset(&none);
    ::sigprocmask(SIG_SETMASK, &none, nullptr);
    ::setpgid(0, 0);
    ::dup2(in.r, 0);
    ::dup2(out.w, 1);
    ::dup2(out.w, 2);
    ::execve(path, args, environ);
    write_int(err.w, errno);
    ::_exit(127);
  }
  close_all({in.r, out.w, err.w});
  write_int(status.w, static_cast<int>(pid));
  if (pid < 0) ::_exit(1);
  int st = 0;
  while (::waitpid(static_cast<pid_t>(pid), &st, 0) < 0 && errno == EINTR) {
  }
  write_int(status.w, st);
  ::_exit(0);
}

void reap_waiter(pid_t waiter) {
  int st = 0;
  while (::waitpid(waiter, &st, __WCLONE) < 0 && errno == EINTR) {
  }
}

}  // namespace

Helper spawn_helper(const std::vector<std::string>& argv) {
  if (argv.empty()) fail(util::Exit::usage, "alert command: empty");
  std::string path = resolve_program(argv[0]);
  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  Pipe p[4];  // stdin, output, exec error, status
  for (auto& x : p) {
    int fds[2];
    if (::pipe2(fds, O_CLOEXEC) != 0) {
      int e = errno;
      for (auto& y : p) close_all({y.r, y.w});
      fail(util::Exit::io, "alert command: pipe: {}", std::strerror(e));
    }
    x = {fds[0], fds[1]};
  }
  auto& [in, out, err, status] = p;
  // Flags 0: a copy of this process, like fork(), that signals nobody when it exits.
  long waiter = ::syscall(SYS_clone, 0L, nullptr, nullptr, nullptr, nullptr);
  if (waiter == 0) be_waiter(path.c_str(), args.data(), in, out, err, status);
  int saved = errno;
  close_all({in.r, out.w, err.w, status.w});
  if (waiter < 0) {
    close_all({in.w, out.r, err.r, status.r});
    fail(util::Exit::io, "alert command: cannot start '{}': {}", argv[0], std::strerror(saved));
  }
  Helper h{-1, static_cast<pid_t>(waiter), in.w, out.r, status.r};
  int pid = -1, exec_errno = 0;
  bool started = read_int(status.r, pid) && pid > 0;
  bool exec_failed = started && read_int(err.r, exec_errno);  // EOF when the exec succeeded (CLOEXEC)
  ::close(err.r);
  if (!started || exec_failed) {
    close_all({in.w, out.r});
    int st = 0;
    if (started) read_int(status.r, st);
    ::close(status.r);
    reap_waiter(h.waiter);
    fail(util::Exit::unavailable, "alert command: cannot run '{}': {}", argv[0],
         std::strerror(exec_failed ? exec_errno : EAGAIN));
  }
  h.pid = pid;
  ::fcntl(h.stdin_fd, F_SETFL, O_NONBLOCK);
  ::fcntl(h.output_fd, F_SETFL, O_NONBLOCK);
  ::fcntl(h.status_fd, F_SETFL, O_NONBLOCK);
  return h;
}

std::optional<int> reap_helper(Helper& h) {
  if (h.status_fd < 0) return std::nullopt;
  int st = 0;
  ssize_t n = ::read(h.status_fd, &st, sizeof st);
  if (n < 0 && (errno == EAGAIN || errno == EINTR)) return std::nullopt;
  if (n != static_cast<ssize_t>(sizeof st)) st = 0;  // the waiter is gone without a word: nothing left to wait for
  ::close(h.status_fd);
  h.status_fd = -1;
  reap_waiter(h.waiter);
  return st;
}

int kill_helper(Helper& h) {
  ::kill(-h.pid, SIGKILL);
  ::kill(h.pid, SIGKILL);
  if (h.status_fd < 0) return 0;
  int flags = ::fcntl(h.status_fd, F_GETFL);
  ::fcntl(h.status_fd, F_SETFL, flags & ~O_NONBLOCK);
  int st = 0;
  read_int(h.status_fd, st);
  ::close(h.status_fd);
  h.status_fd = -1;
  reap_waiter(h.waiter);
  return st;
}

}  // namespace wf::alert
