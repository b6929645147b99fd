#include "history/import_sacct.h"

#include <algorithm>
#include <map>

#include "history/units.h"
#include "util/strings.h"

namespace wf::history {
namespace {

using import_detail::RowReader;

constexpr std::string_view kNoHeaderColumns =
    "JobID|JobName|State|ExitCode|Elapsed|TotalCPU|MaxRSS|ReqMem|AllocCPUS|Start|End|NodeList";

// A job and what its steps add to it.
struct Job {
  std::string key;
  std::optional<size_t> row;  // the job's own line
  size_t first_row = 0;
  double step_cpu_s = 0;
  bool step_cpu_seen = false;
  std::optional<std::int64_t> step_rss_bytes;
};

std::optional<std::int64_t> max_rss(const RowReader& r) {
  return r.read<std::int64_t>("MaxRSS", [](std::string_view s) { return units::slurm_bytes(s, 1); }, "a size");
}

// Jobs in order of first appearance, their steps folded in.
std::vector<Job> fold_steps(const util::Csv& csv, RowReader& r) {
  std::vector<Job> jobs;
  std::map<std::string, size_t, std::less<>> index;
  for (size_t row = 0; row < csv.rows(); ++row) {
    r.at(row);
    auto id = r.get("JobID");
    if (!id) r.bad("empty JobID");
    std::string_view key = id->substr(0, id->find('.'));
    auto [it, inserted] = index.emplace(std::string(key), jobs.size());
    if (inserted) jobs.push_back(Job{std::string(key), std::nullopt, row, 0, false, std::nullopt});
    Job& job = jobs[it->second];
    if (key.size() == id->size()) {
      if (job.row) r.bad("job {} listed twice", key);
      job.row = row;
      continue;
    }
    if (auto cpu = r.read<double>("TotalCPU", units::slurm_duration_s, "a duration")) {
      job.step_cpu_s += *cpu;
      job.step_cpu_seen = true;
    }
    if (auto rss = max_rss(r)) job.step_rss_bytes = std::max(job.step_rss_bytes.value_or(0), *rss);
  }
  return jobs;
}

enum class Outcome { keep, skip };

Outcome status_of(const RowReader& r, Execution& e) {
  auto state = r.get("State");
  if (!state) r.bad("empty State");
  std::string_view word = state->substr(0, state->find(' '));  // "CANCELLED by 1000"
  if (word == "COMPLETED") e.status = Status::succeeded;
  else if (word == "FAILED" || word == "NODE_FAIL" || word == "BOOT_FAIL") e.status = Status::failed;
  else if (word == "TIMEOUT" || word == "DEADLINE") e.status = Status::timeout;
  else if (word == "OUT_OF_MEMORY") e.status = Status::oom;
  else if (word == "CANCELLED") e.status = Status::cancelled;
  else if (word == "PREEMPTED") e.status = Status::interrupted;
  else if (word == "PENDING" || word == "RUNNING" || word == "REQUEUED" || word == "SUSPENDED" ||
           word == "RESIZING" || word == "REVOKED")
    return Outcome::skip;
  else r.bad("unknown job state '{}'", *state);
  return Outcome::keep;
}

std::optional<double> time_of(const RowReader& r, std::string_view column) {
  auto v = r.get(column);
  if (!v || *v == "Unknown" || *v == "None") return std::nullopt;
  return r.read<double>(column, units::slurm_time_s, "a time (YYYY-MM-DDTHH:MM:SS)");
}

void exit_code(const RowReader& r, Execution& e) {
  auto v = r.get("ExitCode");
  if (!v) return;
  auto colon = v->find(':');
  auto code = util::parse_int(v->substr(0, colon));
  auto signal = colon == std::string_view::npos ? std::optional<long long>(0) : util::parse_int(v->substr(colon + 1));
  if (!code || !signal || *code < 0 || *code > 255 || *signal < 0 || *signal > 255)
    r.bad("column 'ExitCode': cannot read '{}' as exit:signal", *v);
  e.exit_code = static_cast<int>(*code);
  e.signal = static_cast<int>(*signal);
}

void memory(const RowReader& r, Execution& e) {
  auto v = r.get("ReqMem");
  if (!v) return;
  std::string_view mem = *v;
  bool per_cpu = mem.ends_with('c');
  if (per_cpu || mem.ends_with('n')) mem.remove_suffix(1);
  auto bytes = units::slurm_bytes(mem, 1024 * 1024);
  if (!bytes) r.bad("column 'ReqMem': cannot read '{}' as a size", *v);
  if (per_cpu) bytes = *bytes * static_cast<std::int64_t>(e.cpus_reserved.value_or(1));
  e.mem_reserved_bytes = bytes;
}

void usage(const RowReader& r, const Job& job, Execution& e) {
  e.runtime_s = r.read<double>("Elapsed", units::slurm_duration_s, "a duration");
  e.cpu_time_s = r.read<double>("TotalCPU", units::slurm_duration_s, "a duration");
  if (job.step_cpu_seen) e.cpu_time_s = std::max(e.cpu_time_s.value_or(0), job.step_cpu_s);
  e.peak_rss_bytes = max_rss(r);
  if (job.step_rss_bytes) e.peak_rss_bytes = std::max(e.peak_rss_bytes.value_or(0), *job.step_rss_bytes);
  e.cpus_reserved = r.read<double>("AllocCPUS", import_detail::number, "a cpu count");
  if (e.cpus_reserved) e.features.emplace_back(kFeatureCpus, *e.cpus_reserved);
  memory(r, e);
  if (auto host = r.get("NodeList"); host && *host != "None assigned") e.host = std::string(*host);
}

// "wf.<run>.<task>" -> run and task; anything else is the task, in the options' run.
void names(const RowReader& r, const SacctOptions& options, Execution& e) {
  std::string job_name(r.get("JobName").value_or(""));
  e.run_id = options.run_id;
  e.task_id = job_name.empty() ? e.native_id : job_name;
  if (job_name.starts_with("wf.")) {
    auto dot = job_name.find('.', 3);
    if (dot != std::string::npos && dot > 3 && dot + 1 < job_name.size()) {
      e.run_id = job_name.substr(3, dot - 3);
      e.task_id = job_name.substr(dot + 1);
    }
  }
  e.workflow = options.workflow;
  e.category = options.category ? options.category(e.run_id, e.task_id, job_name) : e.task_id;
}

}  // namespace

Parsed parse_sacct(std::string_view text, const std::string& name, const SacctOptions& opts) {
  SacctOptions options = opts;
  static_cast<ImportOptions&>(options) = import_detail::complete(opts, name);
  bool has_header = util::to_lower(text.substr(0, text.find('|'))) == "jobid";
  std::string with_header = has_header ? std::string() : fmt::format("{}\n{}", kNoHeaderColumns, text);
  util::Csv csv = util::Csv::parse(has_header ? text : std::string_view(with_header), name, '|');
  RowReader r(csv, name, has_header ? 0 : 1);
  if (!r.has("JobID") || !r.has("State"))
    fail(util::Exit::data, "{}:1: not sacct -P output: no 'JobID' and 'State' columns", name);
  Parsed out;
  std::map<std::pair<std::string, std::string>, int> attempts;
  for (const Job& job : fold_steps(csv, r)) {
    r.at(job.row.value_or(job.first_row));
    if (!job.row) r.bad("step of job {} without the job's own line", job.key);
    Execution e;
    e.native_id = job.key;
    e.executor = "import:sacct";
    e.source = options.source;
    e.start_s = time_of(r, "Start");
    e.end_s = time_of(r, "End");
    names(r, options, e);
    bool never_started = r.has("Start") && !e.start_s;
    if (status_of(r, e) == Outcome::skip || never_started || e.category.empty()) {
      ++out.skipped;
      continue;
    }
    e.attempt = ++attempts[{e.run_id, e.task_id}];
    exit_code(r, e);
    usage(r, job, e);
    import_detail::finish_row(e, name, r.line());
    out.rows.push_back(std::move(e));
  }
  return out;
}

ImportResult import_sacct(Store& store, const std::string& path, SacctOptions options) {
  if (options.source.empty()) options.source = import_detail::canonical_source(path);
  std::string text = import_detail::read_file(path);
  return import_detail::store(store, parse_sacct(text, path, options));
}

}  // namespace wf::history
