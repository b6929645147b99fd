#pragma once
// A CSV reader (RFC 4180: quoted fields, doubled quotes, CRLF or LF) with a header row, for the
// formats users already have: Nextflow traces, price catalogs, sacct --parsable2 ('|' separated).
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace wf::util {

class Csv {
 public:
  // Throws wf::Error (exit 65) naming `name` and the line on an unterminated quote or a row whose
  // field count differs from the header's.
  static Csv parse(std::string_view text, std::string name, char sep = ',');

  const std::vector<std::string>& header() const { return header_; }
  size_t rows() const { return rows_.size(); }
  // Column index by name, or nullopt.
  std::optional<size_t> column(std::string_view name) const;
  const std::string& at(size_t row, size_t col) const { return rows_[row][col]; }
  // Line number (1-based) in the source where a row started, for messages.
  size_t line(size_t row) const { return lines_[row]; }
  const std::string& name() const { return name_; }

 private:
  std::string name_;
  std::vector<std::string> header_;
  std::vector<std::vector<std::string>> rows_;
  std::vector<size_t> lines_;
};

}  // namespace wf::util
