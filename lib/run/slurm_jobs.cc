#include "run/slurm_jobs.h"

#include <algorithm>
#include <set>

#include "history/import_sacct.h"
#include "history/units.h"
#include "util/scontrol_fields.h"
#include "util/error.h"
#include "util/log.h"
#include "util/strings.h"

namespace wf::run {
namespace {

[[noreturn]] void unavailable(const std::vector<std::string>& argv, const SlurmCall& r) {
  fail(util::Exit::unavailable, "{} failed: {}", argv[0], r.first_error_line());
}

std::string id_list(std::span<const std::string> ids) {
  std::string out;
  for (const auto& id : ids) out += (out.empty() ? "" : ",") + id;
  return out;
}

std::string first_word(std::string_view s) { return std::string(s.substr(0, s.find(' '))); }

// sacct's and squeue's state words -> history's statuses (history/import_sacct.h's rule).
history::Status status_of(std::string_view state) {
  if (state == "COMPLETED") return history::Status::succeeded;
  if (state == "TIMEOUT" || state == "DEADLINE") return history::Status::timeout;
  if (state == "OUT_OF_MEMORY") return history::Status::oom;
  if (state == "CANCELLED") return history::Status::cancelled;
  if (state == "PREEMPTED") return history::Status::interrupted;
  return history::Status::failed;
}

void read_exit(std::string_view text, history::Execution& e) {
  auto colon = text.find(':');
  auto code = util::parse_int(text.substr(0, colon));
  auto sig = colon == std::string_view::npos ? std::optional<long long>(0) : util::parse_int(text.substr(colon + 1));
  if (code) e.exit_code = static_cast<int>(*code);
  if (sig) e.signal = static_cast<int>(*sig);
}

std::optional<double> time_field(std::string_view v) {
  if (v.empty() || v == "Unknown" || v == "None") return std::nullopt;
  return history::units::slurm_time_s(v);
}

// What the job lines say, and whether the job's steps are all accounted for.
struct JobLine {
  std::string state;
  bool started = false;
  std::string exit;
  int steps = 0, final_steps = 0;
};

std::map<std::string, JobLine> job_lines(std::string_view text, std::vector<std::string>& header) {
  std::map<std::string, JobLine> out;
  auto lines = util::split(text, '\n');
  if (lines.empty()) return out;
  header = util::split(lines[0], '|');
  auto col = [&header](std::string_view name) {
    return static_cast<size_t>(std::find(header.begin(), header.end(), name) - header.begin());
  };
  size_t id_col = col("JobID"), state_col = col("State"), start_col = col("Start"), exit_col = col("ExitCode"),
         node_col = col("NodeList");
  if (id_col >= header.size() || state_col >= header.size()) return out;  // not sacct's answer to our query: no job in it
  for (size_t i = 1; i < lines.size(); ++i) {
    auto f = util::split(lines[i], '|');
    if (f.size() != header.size()) continue;
    if (auto dot = f[id_col].find('.'); dot != std::string::npos) {
      JobLine& j = out[f[id_col].substr(0, dot)];
      ++j.steps;
      j.final_steps += is_final_state(first_word(f[state_col]));
      continue;
    }
    JobLine& j = out[f[id_col]];
    j.state = first_word(f[state_col]);
    // A job cancelled while pending gets a start time equal to its end time, but never a node.
    bool placed = node_col >= f.size() || (!f[node_col].empty() && f[node_col] != "None assigned");
    j.started = start_col < f.size() && time_field(f[start_col]).has_value() && placed;
    if (exit_col < f.size()) j.exit = f[exit_col];
  }
  return out;
}

// The lines of jobs in `keep` (and their steps), with the header: what history's parser gets.
std::string filtered(std::string_view text, const std::set<std::string>& keep) {
  auto lines = util::split(text, '\n');
  std::string out = lines.empty() ? std::string() : lines[0] + "\n";
  for (size_t i = 1; i < lines.size(); ++i) {
    std::string_view line = lines[i];
    std::string_view id = line.substr(0, line.find('|'));
    if (keep.count(std::string(id.substr(0, id.find('.'))))) out += lines[i] + "\n";
  }
  return out;
}

}  // namespace

std::string submit_job(SlurmClient& client, const JobRequest& request) {
  auto argv = sbatch_argv(request);
  SlurmCall r = client.call(argv);
  if (!r.ok()) unavailable(argv, r);
  std::string id(util::trim(r.out.substr(0, r.out.find(';'))));
  if (id.empty() || id.find_first_not_of("0123456789_") != std::string::npos)
    fail(util::Exit::unavailable, "sbatch answered '{}', not a job id", util::trim(r.out));
  return id;
}

std::map<std::string, QueueEntry> queue_states(SlurmClient& client, std::span<const std::string> ids) {
  std::map<std::string, QueueEntry> out;
  if (ids.empty()) return out;
  std::vector<std::string> argv = {"squeue", "--noheader", "--states=all", "--format=%i|%T|%r|%N", "--jobs=" + id_list(ids)};
  SlurmCall r = client.call(argv);
  // Every listed job forgotten: squeue says "Invalid job id specified" and exits 1.
  if (!r.ok() && r.err.find("Invalid job id") != std::string::npos) return out;
  if (!r.ok()) unavailable(argv, r);
  for (const auto& line : util::split(r.out, '\n')) {
    auto f = util::split(line, '|');
    if (f.size() < 4) continue;
    out[std::string(util::trim(f[0]))] = QueueEntry{f[1], f[2], f[3]};
  }
  return out;
}

bool is_final_state(std::string_view state) {
  static const std::set<std::string_view> final_states = {"COMPLETED", "FAILED", "CANCELLED", "TIMEOUT", "OUT_OF_MEMORY",
                                                          "NODE_FAIL", "BOOT_FAIL", "DEADLINE", "PREEMPTED"};
  return final_states.count(state.substr(0, state.find(' '))) > 0;
}

std::map<std::string, JobEnd> parse_accounting(std::string_view text) {
  std::vector<std::string> header;
  auto jobs = job_lines(text, header);
  // A job that ran is final once its steps are too: slurmdbd hears of the job's end (from
  // slurmctld) and of its steps' (from slurmstepd, with MaxRSS and TotalCPU) separately.
  std::set<std::string> final_ids;
  for (const auto& [id, j] : jobs)
    if (is_final_state(j.state) && (!j.started || (j.steps > 0 && j.final_steps == j.steps))) final_ids.insert(id);
  history::SacctOptions opt;
  opt.run_id = "run";
  opt.category = [](std::string_view, std::string_view, std::string_view) { return std::string("job"); };
  std::map<std::string, JobEnd> out;
  for (const auto& id : final_ids) {
    const JobLine& j = jobs[id];
    JobEnd end{j.state, j.started, false, {}};
    if (j.started) {
      // History's parser, one job at a time: a record slurmdbd is still writing (a ReqMem of
      // "16?" was seen) leaves that job to the next poll instead of spoiling the others.
      try {
        auto rows = history::parse_sacct(filtered(text, {id}), "sacct", opt).rows;
        if (rows.empty()) continue;
        end.measured = std::move(rows.front());
        end.usage = true;
      } catch (const Error&) {
        continue;
      }
    } else {
      end.measured.status = status_of(j.state);
      read_exit(j.exit, end.measured);
    }
    end.measured.native_id = id;
    out.emplace(id, std::move(end));
  }
  return out;
}

AccountingResult accounting(SlurmClient& client, std::span<const std::string> ids) {
  AccountingResult out;
  if (ids.empty()) return out;
  std::vector<std::string> argv = {"sacct", "--parsable2", "--format", kSacctColumns, "--jobs", id_list(ids)};
  SlurmCall r = client.call(argv);
  if (!r.ok() && (r.err.find("accounting storage is disabled") != std::string::npos)) {
    out.available = false;
    return out;
  }
  if (!r.ok()) unavailable(argv, r);
  out.ended = parse_accounting(r.out);
  return out;
}

std::map<std::string, JobEnd> scontrol_job_ends(SlurmClient& client, std::span<const std::string> ids) {
  std::map<std::string, JobEnd> out;
  for (const auto& id : ids) {
    SlurmCall r = client.call({"scontrol", "--oneliner", "show", "job", id});
    if (!r.ok()) continue;  // forgotten (older than MinJobAge)
    auto f = util::parse_fields(r.out);
    std::string state = first_word(f["JobState"]);
    if (!is_final_state(state)) continue;
    JobEnd end;
    end.state = state;
    history::Execution& e = end.measured;
    e.native_id = id;
    e.status = status_of(state);
    read_exit(f["ExitCode"], e);
    e.start_s = time_field(f["StartTime"]);
    e.end_s = time_field(f["EndTime"]);
    bool placed = !f["NodeList"].empty() && f["NodeList"] != "(null)";
    end.started = e.start_s.has_value() && placed;  // cancelled while pending: a start time, no node
    if (auto rt = history::units::slurm_duration_s(f["RunTime"])) e.runtime_s = rt;
    if (placed) e.host = f["NodeList"];
    out.emplace(id, std::move(end));
  }
  return out;
}

void cancel_jobs(SlurmClient& client, std::span<const std::string> ids) {
  if (ids.empty()) return;
  std::vector<std::string> argv = {"scancel"};
  argv.insert(argv.end(), ids.begin(), ids.end());
  SlurmCall r = client.call(argv);
  if (!r.ok()) util::warn("scancel {}: {}", id_list(ids), r.first_error_line());
}

}  // namespace wf::run
