#include "util/csv.h"

#include "util/error.h"

namespace wf::util {
namespace {

// Reads one record starting at `pos`; returns false at end of input.
bool read_record(std::string_view text, size_t& pos, size_t& line, char sep, std::vector<std::string>& out,
                 const std::string& name) {
  out.clear();
  if (pos >= text.size()) return false;
  std::string field;
  bool quoted = false;
  size_t start_line = line;
  while (pos < text.size()) {
    char c = text[pos];
    if (quoted) {
      if (c == '"') {
        if (pos + 1 < text.size() && text[pos + 1] == '"') {
          field += '"';
          pos += 2;
          continue;
        }
        quoted = false;
        ++pos;
        continue;
      }
      if (c == '\n') ++line;
      field += c;
      ++pos;
      continue;
    }
    if (c == '"' && field.empty()) {
      quoted = true;
      ++pos;
    } else if (c == sep) {
      out.push_back(std::move(field));
      field.clear();
      ++pos;
    } else if (c == '\r' && pos + 1 < text.size() && text[pos + 1] == '\n') {
      ++pos;
    } else if (c == '\n') {
      ++pos;
      ++line;
      out.push_back(std::move(field));
      return true;
    } else {
      field += c;
      ++pos;
    }
  }
  if (quoted) fail(Exit::data, "{}:{}: unterminated quoted field", name, start_line);
  out.push_back(std::move(field));
  return true;
}

}  // namespace

Csv Csv::parse(std::string_view text, std::string name, char sep) {
  Csv csv;
  csv.name_ = std::move(name);
  size_t pos = 0, line = 1;
  if (text.starts_with("\xEF\xBB\xBF")) pos = 3;  // UTF-8 byte order mark
  if (!read_record(text, pos, line, sep, csv.header_, csv.name_))
    fail(Exit::data, "{}: empty file, expected a header row", csv.name_);
  std::vector<std::string> row;
  for (;;) {
    size_t row_line = line;
    if (!read_record(text, pos, line, sep, row, csv.name_)) break;
    if (row.size() == 1 && row[0].empty()) continue;  // blank line
    if (row.size() != csv.header_.size())
      fail(Exit::data, "{}:{}: expected {} fields as in the header, found {}", csv.name_, row_line,
           csv.header_.size(), row.size());
    csv.rows_.push_back(row);
    csv.lines_.push_back(row_line);
  }
  return csv;
}

std::optional<size_t> Csv::column(std::string_view name) const {
  for (size_t i = 0; i < header_.size(); ++i)
    if (header_[i] == name) return i;
  return std::nullopt;
}

}  // namespace wf::util
