#include "history/import_nextflow.h"

#include <cmath>
#include <limits>

#include "history/units.h"
#include "util/strings.h"

namespace wf::history {
namespace {

using import_detail::RowReader;

enum class Outcome { keep, skip };

Outcome status_of(const RowReader& r, Execution& e) {
  auto s = r.get("status");
  if (!s) r.bad("no status");
  if (*s == "COMPLETED") e.status = Status::succeeded;
  else if (*s == "FAILED") e.status = Status::failed;
  else if (*s == "ABORTED") e.status = Status::cancelled;
  else if (*s == "CACHED" || *s == "NEW" || *s == "SUBMITTED" || *s == "RUNNING") return Outcome::skip;
  else r.bad("unknown task status '{}'", *s);
  return Outcome::keep;
}

// "fastqc (DA188_L1)" -> "fastqc": Nextflow names a task after its process and its tag.
std::string strip_tag(std::string_view name) {
  if (name.ends_with(')'))
    if (auto open = name.rfind(" ("); open != std::string_view::npos) return std::string(name.substr(0, open));
  return std::string(name);
}

void identify(const RowReader& r, Execution& e) {
  auto name = r.get("name");
  auto native = r.get("task_id");
  if (!native) native = r.get("hash");
  if (!name) name = native;
  if (!name) r.bad("neither a task name nor a task_id");
  e.task_id = std::string(*name);
  e.native_id = native ? std::string(*native) : std::string();
  auto process = r.get("process");
  e.category = process ? std::string(*process) : strip_tag(*name);
  auto attempt = r.read<long long>("attempt", import_detail::integer, "an attempt number");
  e.attempt = static_cast<int>(attempt.value_or(1));
  if (auto host = r.get("hostname")) e.host = std::string(*host);
}

// Nextflow writes Integer.MAX_VALUE when it never learnt the exit status.
void exit_status(const RowReader& r, Execution& e) {
  auto exit = r.read<long long>("exit", import_detail::integer, "an exit status");
  if (exit && *exit != std::numeric_limits<int>::max()) {
    if (*exit < std::numeric_limits<int>::min() || *exit > std::numeric_limits<int>::max())
      r.bad("exit status {} out of range", *exit);
    e.exit_code = static_cast<int>(*exit);
  }
}

void times(const RowReader& r, Execution& e) {
  e.runtime_s = r.read<double>("realtime", units::nextflow_duration_s, "a duration");
  e.start_s = r.read<double>("start", units::nextflow_time_s, "a time");
  e.end_s = r.read<double>("complete", units::nextflow_time_s, "a time");
  // duration (submit -> complete) is read only when needed: where submit and start come from
  // different clocks it can be negative (nf-core/eager has "-163").
  if (!e.end_s) {
    auto submit = r.read<double>("submit", units::nextflow_time_s, "a time");
    auto duration = r.read<double>("duration", units::nextflow_duration_s, "a duration");
    if (submit && duration) e.end_s = *submit + *duration;
  }
  if (!e.start_s && e.end_s && e.runtime_s) e.start_s = *e.end_s - *e.runtime_s;
}

void usage(const RowReader& r, Execution& e) {
  auto bytes = [&](std::string_view col) { return r.read<std::int64_t>(col, units::nextflow_bytes, "a size"); };
  if (auto cpu = r.read<double>("%cpu", units::percent, "a percentage"); cpu && e.runtime_s)
    e.cpu_time_s = *cpu / 100 * *e.runtime_s;
  e.peak_rss_bytes = bytes("peak_rss");
  if (!e.peak_rss_bytes) e.peak_rss_bytes = bytes("rss");
  auto rchar = bytes("rchar");
  e.read_bytes = rchar ? rchar : bytes("read_bytes");
  e.write_bytes = bytes("wchar");
  if (!e.write_bytes) e.write_bytes = bytes("write_bytes");
  e.mem_reserved_bytes = bytes("memory");
  e.cpus_reserved = r.read<double>("cpus", import_detail::number, "a cpu count");
  if (rchar) e.features.emplace_back(kFeatureInputBytes, static_cast<double>(*rchar));
  if (e.cpus_reserved) e.features.emplace_back(kFeatureCpus, *e.cpus_reserved);
}

char delimiter(std::string_view text) {
  std::string_view header = text.substr(0, text.find('\n'));
  return header.find('\t') != std::string_view::npos ? '\t' : ',';
}

}  // namespace

Parsed parse_nextflow_trace(std::string_view text, const std::string& name, const ImportOptions& opts) {
  ImportOptions options = import_detail::complete(opts, name);
  util::Csv csv = util::Csv::parse(text, name, delimiter(text));
  RowReader r(csv, name);
  if (!r.has("status") || !(r.has("name") || r.has("task_id") || r.has("hash")))
    fail(util::Exit::data, "{}:1: not a Nextflow trace: no 'status' and 'name' (or 'task_id') columns", name);
  Parsed out;
  for (size_t row = 0; row < csv.rows(); ++row) {
    r.at(row);
    Execution e;
    if (status_of(r, e) == Outcome::skip) {
      ++out.skipped;
      continue;
    }
    e.run_id = options.run_id;
    e.workflow = options.workflow;
    e.executor = "import:nextflow";
    e.source = options.source;
    identify(r, e);
    exit_status(r, e);
    times(r, e);
    usage(r, e);
    import_detail::finish_row(e, name, r.line());
    out.rows.push_back(std::move(e));
  }
  return out;
}

ImportResult import_nextflow_trace(Store& store, const std::string& path, ImportOptions options) {
  if (options.source.empty()) options.source = import_detail::canonical_source(path);
  std::string text = import_detail::read_file(path);
  return import_detail::store(store, parse_nextflow_trace(text, path, options));
}

}  // namespace wf::history
