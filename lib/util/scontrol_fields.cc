#include "util/scontrol_fields.h"

#include <cctype>

#include "util/strings.h"

namespace wf::util {
namespace {

// The key length of a "Key=..." word, 0 when the word does not start a pair.
size_t key_length(std::string_view word) {
  if (word.empty() || !std::isalpha(static_cast<unsigned char>(word[0]))) return 0;
  for (size_t i = 1; i < word.size(); ++i) {
    char c = word[i];
    if (c == '=') return i;
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != ':' && c != '/' && c != '_') return 0;
  }
  return 0;
}

}  // namespace

SlurmFields parse_fields(std::string_view line) {
  SlurmFields out;
  std::string* last = nullptr;
  for (const auto& word : util::split(util::trim(line), ' ')) {
    if (size_t k = key_length(word)) {
      last = &out[word.substr(0, k)];
      *last = word.substr(k + 1);
    } else if (last && !word.empty()) {
      *last += ' ' + word;
    }
  }
  return out;
}

std::vector<SlurmFields> parse_records(std::string_view text) {
  std::vector<SlurmFields> out;
  for (const auto& line : util::split(text, '\n'))
    if (!util::trim(line).empty()) out.push_back(parse_fields(line));
  return out;
}

}  // namespace wf::util
