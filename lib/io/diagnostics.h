#pragma once
// Problems found in one input, collected so that all of them are reported in one go, each at its
// FILE:LINE:COL. Positions are resolved only when reported (see Locator).
#include <string>
#include <string_view>
#include <vector>

#include "io/tree.h"

namespace wf::io {

class Diagnostics {
 public:
  explicit Diagnostics(const Locator& locator) : locator_(locator) {}

  void error(std::string_view pointer, std::string message);
  void warning(std::string_view pointer, std::string message);
  bool has_errors() const { return !errors_.empty(); }
  size_t error_count() const { return errors_.size(); }

  // Prints the warnings to stderr; if there were errors, throws wf::Errors (exit 65) holding one
  // "FILE:LINE:COL: message" line per error (at most kMaxReported, then a count of the rest).
  void finish();

  static constexpr size_t kMaxReported = 50;

 private:
  struct Item {
    std::string pointer;
    std::string message;
  };
  std::vector<std::string> render(const std::vector<Item>& items) const;

  const Locator& locator_;
  std::vector<Item> errors_, warnings_;
};

}  // namespace wf::io
