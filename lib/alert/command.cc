#include "alert/command.h"

#include <cerrno>
#include <chrono>
#include <cstring>

#include <poll.h>
#include <sys/wait.h>
#include <unistd.h>

#include "alert/spawn.h"
#include "run/wait_status.h"
#include "util/error.h"
#include "util/log.h"
#include "util/sigpipe.h"
#include "util/strings.h"

namespace wf::alert {

std::vector<std::string> split_words(std::string_view text) {
  std::vector<std::string> words;
  std::string word;
  bool in_word = false;
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c == ' ' || c == '\t' || c == '\n') {
      if (in_word) words.push_back(std::move(word)), word.clear(), in_word = false;
      continue;
    }
    in_word = true;
    if (c == '\\' && i + 1 < text.size()) {
      word += text[++i];
    } else if (c == '\'' || c == '"') {
      size_t close = i + 1;
      for (; close < text.size() && text[close] != c; ++close) {
        if (c == '"' && text[close] == '\\' && close + 1 < text.size()) ++close;
        word += text[close];
      }
      if (close >= text.size()) fail(util::Exit::usage, "--alert-command: unclosed {} quote in '{}'", c, text);
      i = close;
    } else {
      word += c;
    }
  }
  if (in_word) words.push_back(std::move(word));
  if (words.empty()) fail(util::Exit::usage, "--alert-command: empty command");
  return words;
}

CommandSink::CommandSink(CommandOptions options)
    : BackgroundSink("alert command '" + (options.argv.empty() ? std::string() : options.argv[0]) + "'",
                     options.queue_capacity),
      options_(std::move(options)) {
  start();
}

CommandSink::~CommandSink() { finish(0); }

namespace {

double now_s() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

// Reads what is there, keeping at most `max` bytes in `kept`; false at EOF.
bool drain(int fd, std::string& kept, size_t max) {
  char buf[4096];
  for (;;) {
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n > 0) {
      kept.append(buf, std::min(static_cast<size_t>(n), max - std::min(max, kept.size())));
      continue;
    }
    if (n == 0) return false;
    return errno == EAGAIN || errno == EINTR;
  }
}

}  // namespace

void CommandSink::deliver(const std::string& json) {
  Helper h;
  try {
    h = spawn_helper(options_.argv);
  } catch (const std::exception& e) {
    ++failed_;
    util::warn("{}", e.what());
    return;
  }
  std::string body = json + "\n";
  // The alert is far smaller than a pipe's buffer: it goes in one write, or the command is gone
  // (exited without reading it: EPIPE, not a SIGPIPE that would end wf-run).
  {
    util::SigpipeGuard no_sigpipe;
    [[maybe_unused]] ssize_t written = ::write(h.stdin_fd, body.data(), body.size());
  }
  ::close(h.stdin_fd);
  double deadline = now_s() + options_.timeout_s;
  std::string output;
  std::optional<int> status;
  bool open = true;
  while (!status && !aborted() && now_s() < deadline) {
    if (open) {
      pollfd p{h.output_fd, POLLIN, 0};
      ::poll(&p, 1, 50);
      open = drain(h.output_fd, output, options_.max_output_bytes);
    } else {
      ::usleep(20'000);
    }
    status = reap_helper(h);
  }
  if (status && open) drain(h.output_fd, output, options_.max_output_bytes);
  ::close(h.output_fd);
  ++ran_;
  if (!status) {
    kill_helper(h);
    ++failed_;
    if (!aborted())
      util::warn("{}: still running after {} s: killed", what(), util::format_number(options_.timeout_s));
    return;
  }
  if (WIFEXITED(*status) && WEXITSTATUS(*status) == 0) return;
  ++failed_;
  std::string first(util::trim(output.substr(0, output.find('\n'))));
  util::warn("{}: {}{}", what(), run::describe_status(*status), first.empty() ? "" : ": " + first);
}

}  // namespace wf::alert
