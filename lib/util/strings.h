#pragma once
// Small string helpers that know nothing of workflows.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace wf::util {

std::string_view trim(std::string_view s);
std::vector<std::string> split(std::string_view s, char sep);
bool starts_with(std::string_view s, std::string_view prefix);
bool ends_with(std::string_view s, std::string_view suffix);
std::string to_lower(std::string_view s);

// Levenshtein distance, for did-you-mean hints.
size_t edit_distance(std::string_view a, std::string_view b);
// The closest candidate within a distance that scales with the word's length, if any.
std::optional<std::string> closest(std::string_view word, const std::vector<std::string>& candidates);

// Quote for POSIX sh: the result is one word whatever the input holds.
std::string shell_quote(std::string_view s);

// A number formatted shortest-round-trip and locale-free ("0.1", "3", "1e+20").
std::string format_number(double v);

// Strict parses: the whole string must be consumed.
std::optional<long long> parse_int(std::string_view s);
std::optional<double> parse_double(std::string_view s);

}  // namespace wf::util
