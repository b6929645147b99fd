#pragma once
// wf::Error carries one user-facing line and the exit code it maps to. Thrown anywhere below the
// tools; turned into "<tool>: error: <message>" and the exit code only at the top (cli::run_tool).
#include <stdexcept>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "util/exit.h"

namespace wf {

class Error : public std::runtime_error {
 public:
  Error(util::Exit exit, std::string message)
      : std::runtime_error(std::move(message)), exit_(exit) {}
  util::Exit exit() const { return exit_; }

 private:
  util::Exit exit_;
};

// Several errors of one input reported together (validation reports all errors of a file at once).
class Errors : public Error {
 public:
  Errors(util::Exit exit, std::vector<std::string> messages)
      : Error(exit, messages.empty() ? std::string() : messages.front()), all_(std::move(messages)) {}
  const std::vector<std::string>& all() const { return all_; }

 private:
  std::vector<std::string> all_;
};

template <typename... Args>
[[noreturn]] void fail(util::Exit exit, fmt::format_string<Args...> f, Args&&... args) {
  throw Error(exit, fmt::format(f, std::forward<Args>(args)...));
}

}  // namespace wf
