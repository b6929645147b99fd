#pragma once
// Text (YAML or JSON) -> the document tree, remembering where each value came from so that a
// problem found later can be reported as FILE:LINE:COL. Positions are found only when a message
// needs one (by JSON pointer), so reading pays nothing for them.
#include <memory>
#include <string>
#include <string_view>

#include "io/json.h"
#include "io/sink.h"
#include "io/source.h"

namespace wf::io {

class Locator {
 public:
  virtual ~Locator() = default;
  // "FILE:LINE:COL" for the value at the JSON pointer, or "FILE" when it cannot be placed.
  virtual std::string where(std::string_view pointer) const = 0;
  virtual const std::string& name() const = 0;
};

struct Tree {
  std::unique_ptr<JsonDoc> root;
  std::unique_ptr<Locator> locator;
  bool yaml = false;
};

// JSON when the first non-blank character is '{' or '[', YAML otherwise (YAML 1.2 core schema for
// plain scalars: 010 is ten, "1.10" stays a string only when quoted). Malformed text: wf::Error
// exit 65 with the position. Takes the source's text (the locator keeps it).
Tree parse_tree(Source source);

// The tree as YAML text (block style; strings quoted wherever they would read back as another type),
// with `streamed` lists written in place of their placeholders (io/streamed.h).
std::string to_yaml(const Json& value, const StreamedLists* streamed = nullptr);
// The same text, streamed to `sink` in chunks of 64 KiB as it is emitted.
void write_yaml(const Json& value, Sink& sink, const StreamedLists* streamed = nullptr);

}  // namespace wf::io
