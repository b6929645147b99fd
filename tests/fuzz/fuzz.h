#pragma once
// What every fuzz target shares. A target feeds one input to a reader of outside input and
// checks the reader's contract: bad input is a wf::Error naming the problem (never exit 70, the
// code of an internal bug); anything else — a crash, a sanitizer report, another exception, a
// broken property of the output — aborts, which libFuzzer reports as a crash and the replay test
// (replay_main.cc) as a failure.
#include <cstddef>
#include <cstdint>
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "util/error.h"
#include "util/log.h"
#include "util/strings.h"

namespace wf::fuzz {

inline std::string_view text(const uint8_t* data, size_t size) {
  return {reinterpret_cast<const char*>(data), size};
}

// Ends the run: a property the reader promises does not hold.
[[noreturn]] inline void broken(std::string_view what) {
  std::fprintf(stderr, "fuzz: broken property: %.*s\n", static_cast<int>(what.size()), what.data());
  std::abort();
}
inline void expect(bool ok, std::string_view what) {
  if (!ok) broken(what);
}

// Runs `read`; a wf::Error is the expected answer to bad input, unless it claims an internal bug.
template <typename F>
void guarded(F&& read) {
  try {
    read();
  } catch (const Error& e) {
    if (e.exit() == util::Exit::software) broken(std::string("an internal error: ") + e.what());
  }
}

// Diagnostics (warnings of lenient readers) are composed as usual but not printed: a fuzzer
// printing a warning per input would spend its time on stderr.
inline void quiet_diagnostics() {
  util::set_diag_sink([](std::string_view, void*) {}, nullptr);
}

}  // namespace wf::fuzz
