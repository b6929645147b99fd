#include "model/command.h"

#include <cctype>

#include "util/strings.h"

namespace wf::model {
namespace {

bool name_char(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-' || c == '.';
}

// Finds the next placeholder at or after `from`: sets [begin, end) of the whole "{{ x }}" and the
// name. Returns false when there is none.
bool next_placeholder(std::string_view text, size_t from, size_t& begin, size_t& end, std::string_view& name) {
  for (size_t open = text.find("{{", from); open != std::string_view::npos; open = text.find("{{", open + 1)) {
    size_t i = open + 2;
    while (i < text.size() && text[i] == ' ') ++i;
    size_t name_begin = i;
    while (i < text.size() && name_char(text[i])) ++i;
    size_t name_end = i;
    while (i < text.size() && text[i] == ' ') ++i;
    if (name_end > name_begin && text.substr(i, 2) == "}}") {
      begin = open;
      end = i + 2;
      name = text.substr(name_begin, name_end - name_begin);
      return true;
    }
  }
  return false;
}

}  // namespace

std::vector<std::string> placeholders(std::string_view text) {
  std::vector<std::string> names;
  size_t begin = 0, end = 0;
  std::string_view name;
  for (size_t from = 0; next_placeholder(text, from, begin, end, name); from = end) names.emplace_back(name);
  return names;
}

std::string substitute(std::string_view text, bool shell_quote_values,
                       const std::function<std::optional<std::string>(std::string_view)>& lookup,
                       std::vector<std::string>* unknown) {
  std::string out;
  size_t from = 0, begin = 0, end = 0;
  std::string_view name;
  while (next_placeholder(text, from, begin, end, name)) {
    out.append(text.substr(from, begin - from));
    if (auto value = lookup(name)) {
      out += shell_quote_values ? util::shell_quote(*value) : *value;
    } else {
      if (unknown) unknown->emplace_back(name);
      out.append(text.substr(begin, end - begin));
    }
    from = end;
  }
  out.append(text.substr(from));
  return out;
}

Command render_command(const Workflow& wf, const Task& task) {
  auto lookup = [&](std::string_view name) -> std::optional<std::string> {
    if (const Param* p = find_param(wf, task, name)) return p->text;
    return std::nullopt;
  };
  Command out;
  out.shell = task.run.shell;
  if (task.run.shell) {
    out.script = substitute(task.run.script, true, lookup, nullptr);
  } else {
    for (const auto& arg : task.run.argv) out.argv.push_back(substitute(arg, false, lookup, nullptr));
  }
  return out;
}

std::string display(const Command& command) {
  if (command.shell) return command.script;
  std::string out;
  for (const auto& a : command.argv) {
    if (!out.empty()) out += ' ';
    out += util::shell_quote(a);
  }
  return out;
}

}  // namespace wf::model
