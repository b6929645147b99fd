#pragma once
// Reading input ("-" is stdin) and writing output atomically.
#include <sys/types.h>

#include <functional>
#include <string>
#include <string_view>

#include "io/sink.h"

namespace wf::io {

struct Source {
  std::string name;  // the path as given, or "<stdin>"
  std::string text;
};

// Reads a whole file, or stdin for "-". Missing or unreadable: wf::Error exit 66. A file holding
// NUL bytes is refused as binary (exit 65).
Source read_source(const std::string& path);

// Writes `content` to `path` atomically (a temporary file beside it, fsync, rename), or to stdout
// for "-" / empty. A reader never sees a half-written file. Errors: exit 73 (cannot create), 74.
// `mode` is the new file's (before the umask): 0600 for a file that may hold secrets.
void write_output(const std::string& path, std::string_view content, mode_t mode = 0644);
// The same, streamed: `produce` writes the content to the sink in pieces. If it throws, a file
// being written is removed (the target keeps its old content) and the exception goes on.
void write_output(const std::string& path, const std::function<void(Sink&)>& produce, mode_t mode = 0644);

}  // namespace wf::io
