#pragma once
// Where output text goes, piece by piece: a big document is streamed to its file descriptor in
// chunks and never sits in memory whole.
#include <string>
#include <string_view>

namespace wf::io {

class Sink {
 public:
  virtual ~Sink() = default;
  // Takes the next piece of the output. May throw wf::Error (exit 74) on a write error.
  virtual void write(std::string_view text) = 0;
};

// Collects everything written (tests, and small outputs built as strings).
class StringSink final : public Sink {
 public:
  void write(std::string_view text) override { text_.append(text); }
  const std::string& text() const { return text_; }
  std::string take() { return std::move(text_); }

 private:
  std::string text_;
};

}  // namespace wf::io
