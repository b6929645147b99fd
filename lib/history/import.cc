#include "history/import.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "history/store.h"
#include "util/error.h"
#include "util/strings.h"

namespace wf::history::import_detail {

RowReader::RowReader(const util::Csv& csv, std::string name, size_t line_offset)
    : csv_(csv), name_(std::move(name)), line_offset_(line_offset) {
  // The first of two same-named columns wins, as Csv::column() would have it.
  for (size_t i = 0; i < csv.header().size(); ++i) columns_.emplace(std::string(util::trim(csv.header()[i])), i);
}

std::optional<std::string_view> RowReader::get(std::string_view column) const {
  auto it = columns_.find(column);
  if (it == columns_.end()) return std::nullopt;
  std::string_view field = util::trim(csv_.at(row_, it->second));
  if (field.empty() || field == "-") return std::nullopt;
  return field;
}

std::optional<long long> integer(std::string_view s) { return util::parse_int(s); }
std::optional<double> number(std::string_view s) { return util::parse_double(s); }

ImportOptions complete(ImportOptions options, std::string_view name) {
  if (options.run_id.empty()) options.run_id = std::filesystem::path(name).stem().string();
  if (options.run_id.empty()) options.run_id = "import";
  if (options.workflow.empty()) options.workflow = options.run_id;
  return options;
}

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) fail(util::Exit::no_input, "{}: cannot open the file for reading", path);
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) fail(util::Exit::io, "{}: read error", path);
  return text.str();
}

std::string canonical_source(const std::string& path) {
  std::error_code ec;
  auto p = std::filesystem::weakly_canonical(std::filesystem::absolute(path), ec);
  return ec ? path : p.string();
}

void finish_row(Execution& e, std::string_view name, size_t line) {
  std::sort(e.features.begin(), e.features.end());
  if (auto problem = find_problem(e))
    fail(util::Exit::data, "{}:{}: task '{}': {}", name, line, e.task_id, *problem);
}

ImportResult store(Store& store, const Parsed& parsed) {
  RecordResult r = store.record_batch(parsed.rows);
  return ImportResult{r.added, r.present, parsed.skipped};
}

}  // namespace wf::history::import_detail
