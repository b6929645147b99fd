#include "io/source.h"

#include <cerrno>
#include <cstdio>
#include <cstring>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/error.h"

namespace wf::io {
namespace {

std::string read_fd(int fd, const std::string& name) {
  std::string text;
  struct stat st {};
  if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0) text.reserve(static_cast<size_t>(st.st_size));
  char buffer[1 << 16];
  for (;;) {
    ssize_t n = ::read(fd, buffer, sizeof buffer);
    if (n == 0) break;
    if (n < 0) {
      if (errno == EINTR) continue;
      fail(util::Exit::no_input, "{}: cannot read: {}", name, std::strerror(errno));
    }
    text.append(buffer, static_cast<size_t>(n));
  }
  return text;
}

bool write_all(int fd, std::string_view content) {
  while (!content.empty()) {
    ssize_t n = ::write(fd, content.data(), content.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    content.remove_prefix(static_cast<size_t>(n));
  }
  return true;
}

// Writes each piece straight to the descriptor; a failed write is reported at once (exit 74).
class FdSink final : public Sink {
 public:
  FdSink(int fd, std::string name) : fd_(fd), name_(std::move(name)) {}
  void write(std::string_view text) override {
    if (!write_all(fd_, text)) fail(util::Exit::io, "{}: write failed: {}", name_, std::strerror(errno));
  }

 private:
  int fd_;
  std::string name_;
};

}  // namespace

Source read_source(const std::string& path) {
  Source source;
  if (path == "-") {
    source.name = "<stdin>";
    source.text = read_fd(STDIN_FILENO, source.name);
  } else {
    source.name = path;
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) fail(util::Exit::no_input, "{}: cannot open: {}", path, std::strerror(errno));
    struct stat st {};
    if (fstat(fd, &st) == 0 && S_ISDIR(st.st_mode)) {
      ::close(fd);
      fail(util::Exit::no_input, "{}: is a directory, expected a workflow or document file", path);
    }
    try {
      source.text = read_fd(fd, path);
    } catch (...) {
      ::close(fd);
      throw;
    }
    ::close(fd);
  }
  if (source.text.find('\0') != std::string::npos)
    fail(util::Exit::data, "{}: binary data (a NUL byte), expected YAML or JSON text", source.name);
  // RapidJSON's SSE2 scanning reads 16 bytes at a time and may look up to 15 past the end: keep
  // that much room allocated behind the text (a move keeps the buffer).
  source.text.reserve(source.text.size() + 16);
  return source;
}

void write_output(const std::string& path, std::string_view content, mode_t mode) {
  write_output(path, [content](Sink& sink) { sink.write(content); }, mode);
}

void write_output(const std::string& path, const std::function<void(Sink&)>& produce, mode_t mode) {
  if (path.empty() || path == "-") {
    FdSink sink(STDOUT_FILENO, "<stdout>");
    produce(sink);
    return;
  }
  std::string tmp = path + ".tmp." + std::to_string(::getpid());
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
  if (fd < 0) fail(util::Exit::cant_create, "{}: cannot create: {}", path, std::strerror(errno));
  try {
    FdSink sink(fd, path);
    produce(sink);
  } catch (...) {
    ::close(fd);
    ::unlink(tmp.c_str());
    throw;
  }
  bool ok = ::fsync(fd) == 0;
  int saved = errno;
  ::close(fd);
  if (!ok || ::rename(tmp.c_str(), path.c_str()) != 0) {
    if (ok) saved = errno;
    ::unlink(tmp.c_str());
    fail(util::Exit::io, "{}: write failed: {}", path, std::strerror(saved));
  }
}

}  // namespace wf::io
