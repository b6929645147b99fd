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
  bool has_errors() const { return error_count() > 0; }
  size_t error_count() const { return errors_.size() + unshown_errors_; }
  size_t warning_count() const { return warnings_.size() + unshown_warnings_; }

  // Only the first kMaxReported of each kind are shown; the rest are counted. When full, a caller
  // facing a million alike problems can skip composing each message (and its did-you-mean) and
  // just count it.
  bool errors_full() const { return errors_.size() >= kMaxReported; }
  bool warnings_full() const { return warnings_.size() >= kMaxReported; }
  void count_error() { ++unshown_errors_; }
  void count_warning() { ++unshown_warnings_; }

  // Prints the warnings to stderr; if there were errors, throws wf::Errors (exit 65) holding one
  // "FILE:LINE:COL: message" line per error (at most kMaxReported, then a count of the rest).
  void finish();

  static constexpr size_t kMaxReported = 50;

 private:
  struct Item {
    std::string pointer;
    std::string message;
  };
  std::vector<std::string> render(const std::vector<Item>& items, size_t unshown) const;

  const Locator& locator_;
  std::vector<Item> errors_, warnings_;  // at most kMaxReported each
  size_t unshown_errors_ = 0, unshown_warnings_ = 0;
};

}  // namespace wf::io
