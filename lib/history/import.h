#pragma once
// What every importer of executions recorded elsewhere shares. An import parses the whole file
// first (a bad row is a one-line error naming file:line and the problem, exit 65) and then records
// every row in one transaction, so a file is imported whole or not at all. Importing a file again
// adds nothing: rows are keyed by (source, run_id, task_id, attempt, native_id), with source the
// file's canonical absolute path.
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "history/execution.h"
#include "util/csv.h"
#include "util/error.h"

namespace wf::history {

class Store;

struct ImportOptions {
  std::string run_id;    // "" -> the file's stem ("trace_mag" for trace_mag.csv)
  std::string workflow;  // "" -> the run id
  std::string source;    // "" -> the canonical absolute path of the file (set by import_*())
};

struct ImportResult {
  size_t added = 0;
  size_t present = 0;  // already in the store from an earlier import of the same file
  size_t skipped = 0;  // rows that are not executions: cached, still running, never started
  friend bool operator==(const ImportResult&, const ImportResult&) = default;
};

struct Parsed {
  std::vector<Execution> rows;
  size_t skipped = 0;
};

namespace import_detail {

// Fills the empty run_id / workflow from `name` (the file name as given).
ImportOptions complete(ImportOptions options, std::string_view name);
// The whole file; wf::Error exit 66 when it cannot be read.
std::string read_file(const std::string& path);
std::string canonical_source(const std::string& path);
// Sorts the features by name (parsed rows then compare equal to what the store reads back) and
// validates, a problem reported as "<name>:<line>: task '<id>': <problem>" (exit 65).
void finish_row(Execution& e, std::string_view name, size_t line);
// Reads the fields of one table row by column name, with errors naming file:line and column.
class RowReader {
 public:
  // `line_offset` is subtracted from the Csv's line numbers (for a header the importer added).
  RowReader(const util::Csv& csv, std::string name, size_t line_offset = 0);

  void at(size_t row) { row_ = row; }
  size_t line() const { return csv_.line(row_) - line_offset_; }
  const std::string& name() const { return name_; }
  bool has(std::string_view column) const { return columns_.count(column) > 0; }

  // nullopt when the column is absent, or the field is empty or "-" (the missing-value markers).
  std::optional<std::string_view> get(std::string_view column) const;

  // get(column) parsed by `parse`; a present field that does not parse is an error (exit 65):
  // "<file>:<line>: column '<column>': cannot read '<value>' as <what>".
  template <typename T>
  std::optional<T> read(std::string_view column, std::optional<T> (*parse)(std::string_view),
                        std::string_view what) const {
    auto field = get(column);
    if (!field) return std::nullopt;
    auto value = parse(*field);
    if (!value) fail(util::Exit::data, "{}:{}: column '{}': cannot read '{}' as {}", name_, line(), column, *field, what);
    return value;
  }

  template <typename... Args>
  [[noreturn]] void bad(fmt::format_string<Args...> f, Args&&... args) const {
    fail(util::Exit::data, "{}:{}: {}", name_, line(), fmt::format(f, std::forward<Args>(args)...));
  }

 private:
  const util::Csv& csv_;
  std::string name_;
  size_t line_offset_;
  size_t row_ = 0;
  std::map<std::string, size_t, std::less<>> columns_;
};

std::optional<long long> integer(std::string_view s);
std::optional<double> number(std::string_view s);

// Records `parsed` in one transaction and counts.
ImportResult store(Store& store, const Parsed& parsed);

}  // namespace import_detail
}  // namespace wf::history
