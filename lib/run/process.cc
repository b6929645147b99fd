#include "run/process.h"

#include <cerrno>
#include <csignal>
#include <cstring>
#include <memory>

#include <fcntl.h>
#include <spawn.h>
#include <sys/stat.h>
#include <unistd.h>

#include "run/command.h"
#include "util/error.h"

namespace wf::run {
namespace {

using util::Exit;

// Owns one descriptor.
class Fd {
 public:
  Fd() = default;
  explicit Fd(int fd) : fd_(fd) {}
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  ~Fd() {
    if (fd_ >= 0) ::close(fd_);
  }
  int get() const { return fd_; }
  int reset(int fd) {
    if (fd_ >= 0) ::close(fd_);
    return fd_ = fd;
  }

 private:
  int fd_ = -1;
};

// /dev/null, opened once for the life of the process (close-on-exec, so no child inherits it
// except through an explicit dup2).
int dev_null() {
  static const int fd = ::open("/dev/null", O_RDWR | O_CLOEXEC);
  if (fd < 0) fail(Exit::io, "cannot open /dev/null: {}", std::strerror(errno));
  return fd;
}

int open_log(const std::string& path) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) fail(Exit::cant_create, "cannot create log file '{}': {}", path, std::strerror(errno));
  return fd;
}

// The descriptors that become the child's 1 and 2.
struct Logs {
  Fd out_owned, err_owned;
  int out = -1, err = -1;
};

void open_logs(const SpawnSpec& spec, Logs& logs) {
  if (spec.stdout_path.empty()) {
    logs.out = dev_null();
  } else {
    logs.out = logs.out_owned.reset(open_log(spec.stdout_path));
  }
  if (spec.stderr_path.empty()) {
    logs.err = dev_null();
  } else if (spec.stderr_path == spec.stdout_path) {
    logs.err = logs.out;
  } else {
    logs.err = logs.err_owned.reset(open_log(spec.stderr_path));
  }
}

// posix_spawn's attribute and file-action objects. They name descriptors by number, and the log
// files of consecutive spawns get the same lowest free numbers, so one setup is kept and reused
// while the numbers, cwd and group choice stay the same (glibc checks every descriptor of a file
// action against the rlimit, a system call each: seven per setup).
class SpawnSetup {
 public:
  SpawnSetup(const Logs& logs, const std::string& cwd, bool new_group)
      : out_(logs.out), err_(logs.err), cwd_(cwd), new_group_(new_group) {
    ::posix_spawnattr_init(&attr_);
    ::posix_spawn_file_actions_init(&actions_);
    sigset_t none, all;
    sigemptyset(&none);
    sigfillset(&all);
    short flags = POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF;
    if (new_group) flags |= POSIX_SPAWN_SETPGROUP;
    ::posix_spawnattr_setflags(&attr_, flags);
    ::posix_spawnattr_setsigmask(&attr_, &none);
    ::posix_spawnattr_setsigdefault(&attr_, &all);
    ::posix_spawnattr_setpgroup(&attr_, 0);
    ::posix_spawn_file_actions_adddup2(&actions_, dev_null(), STDIN_FILENO);
    ::posix_spawn_file_actions_adddup2(&actions_, logs.out, STDOUT_FILENO);
    ::posix_spawn_file_actions_adddup2(&actions_, logs.err, STDERR_FILENO);
    if (!cwd.empty()) ::posix_spawn_file_actions_addchdir_np(&actions_, cwd.c_str());
    ::posix_spawn_file_actions_addclosefrom_np(&actions_, STDERR_FILENO + 1);
  }
  SpawnSetup(const SpawnSetup&) = delete;
  SpawnSetup& operator=(const SpawnSetup&) = delete;
  ~SpawnSetup() {
    ::posix_spawn_file_actions_destroy(&actions_);
    ::posix_spawnattr_destroy(&attr_);
  }

  bool fits(const Logs& logs, const std::string& cwd, bool new_group) const {
    return out_ == logs.out && err_ == logs.err && new_group_ == new_group && cwd_ == cwd;
  }

  // 0 and the pid, or the errno of the first step that failed (chdir or exec included).
  int run(const std::string& path, const std::vector<std::string>& argv, const Environment& env,
          pid_t& pid) const {
    std::vector<char*> args = pointers(argv);
    std::vector<char*> envp = pointers(env);
    return ::posix_spawn(&pid, path.c_str(), &actions_, &attr_, args.data(), envp.data());
  }

 private:
  static std::vector<char*> pointers(const std::vector<std::string>& strings) {
    std::vector<char*> out;
    out.reserve(strings.size() + 1);
    for (const auto& s : strings) out.push_back(const_cast<char*>(s.c_str()));
    out.push_back(nullptr);
    return out;
  }

  int out_, err_;
  std::string cwd_;
  bool new_group_;
  posix_spawnattr_t attr_;
  posix_spawn_file_actions_t actions_;
};

const SpawnSetup& setup_for(const Logs& logs, const std::string& cwd, bool new_group) {
  thread_local std::unique_ptr<SpawnSetup> kept;
  if (!kept || !kept->fits(logs, cwd, new_group)) kept = std::make_unique<SpawnSetup>(logs, cwd, new_group);
  return *kept;
}

// A child that only reports why the task could not start, the way a shell would.
pid_t spawn_failure(const Logs& logs, bool new_group, const std::string& message, int code) {
  SpawnSetup setup(logs, {}, new_group);
  std::vector<std::string> argv{"/bin/sh", "-c", "printf '%s\\n' \"$1\" >&2; exit \"$2\"", "wf",
                                message, std::to_string(code)};
  pid_t pid = 0;
  if (int rc = setup.run(argv[0], argv, {}, pid); rc != 0)
    fail(Exit::io, "cannot start /bin/sh to report '{}': {}", message, std::strerror(rc));
  return pid;
}

void check_cwd(const std::string& cwd) {
  struct stat st {};
  if (::stat(cwd.c_str(), &st) != 0)
    fail(Exit::no_input, "working directory '{}': {}", cwd, std::strerror(errno));
  if (!S_ISDIR(st.st_mode)) fail(Exit::no_input, "working directory '{}': not a directory", cwd);
  if (::access(cwd.c_str(), X_OK) != 0)
    fail(Exit::no_input, "working directory '{}': {}", cwd, std::strerror(errno));
}

}  // namespace

pid_t spawn(const SpawnSpec& spec) {
  if (spec.argv.empty() || spec.argv.front().empty()) fail(Exit::software, "spawn: empty command");
  Logs logs;
  open_logs(spec, logs);
  const std::string& name = spec.argv.front();
  std::optional<std::string> path = resolve_program(name, search_path(spec.env), spec.cwd);
  if (!path) return spawn_failure(logs, spec.new_process_group, "wf: " + name + ": command not found", 127);

  const SpawnSetup& setup = setup_for(logs, spec.cwd, spec.new_process_group);
  pid_t pid = 0;
  int rc = setup.run(*path, spec.argv, spec.env, pid);
  if (rc == ENOEXEC) {  // no #! and not a binary: a shell script, as execvp and sh treat it
    std::vector<std::string> argv{"/bin/sh", *path};
    argv.insert(argv.end(), spec.argv.begin() + 1, spec.argv.end());
    rc = setup.run(argv[0], argv, spec.env, pid);
  }
  if (rc == 0) return pid;
  // chdir and exec failures come back with the same errno values: tell them apart here.
  if (!spec.cwd.empty()) check_cwd(spec.cwd);
  switch (rc) {
    case ENOENT:
    case ENOTDIR:
      return spawn_failure(logs, spec.new_process_group, "wf: " + name + ": " + std::strerror(rc), 127);
    case EACCES:
    case EPERM:
    case EISDIR:
    case ETXTBSY:
    case ELOOP:
    case ENAMETOOLONG:
    case E2BIG:
      return spawn_failure(logs, spec.new_process_group, "wf: " + name + ": " + std::strerror(rc), 126);
    case EAGAIN:
    case ENOMEM:
      fail(Exit::temp, "cannot start '{}': {}", name, std::strerror(rc));
    default:
      fail(Exit::io, "cannot start '{}': {}", name, std::strerror(rc));
  }
}

bool kill_group(pid_t pgid, int sig) {
  if (pgid <= 1) fail(Exit::software, "kill_group: refusing process group {}", pgid);
  if (::kill(-pgid, sig) == 0) return true;
  if (errno == ESRCH) return false;
  if (errno == EPERM) fail(Exit::no_perm, "cannot signal process group {}: {}", pgid, std::strerror(errno));
  fail(Exit::software, "cannot signal process group {} with {}: {}", pgid, sig, std::strerror(errno));
}

}  // namespace wf::run
