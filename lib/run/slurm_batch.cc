#include "run/slurm_batch.h"

#include <algorithm>
#include <cmath>

#include <fmt/format.h>

#include "util/strings.h"

namespace wf::run {
namespace {

std::string sanitise(std::string_view s, bool keep_dots) {
  std::string out;
  for (char c : s) {
    bool ok = std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || (keep_dots && c == '.');
    out += ok ? c : '_';
  }
  return out;
}

// sbatch expands %j, %x, ... in --output/--error; a literal '%' is written "%%".
std::string filename_pattern(std::string_view path) {
  std::string out;
  for (char c : path) {
    out += c;
    if (c == '%') out += '%';
  }
  return out;
}

}  // namespace

namespace {

// A name as it may appear in the script's comment line: control characters (a newline would end
// the comment and start a command) become '?'. wf-run checks run ids; this holds whatever comes.
std::string comment_safe(std::string_view name) {
  std::string out(name);
  for (char& c : out)
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) c = '?';
  return out;
}

}  // namespace

std::string batch_script(const BatchScript& s) {
  std::string body = fmt::format(
      "#!/bin/sh\n"
      "# wf-run: run {} task {} attempt {}; submitted with sbatch (see wf-slurm(7)).\n"
      "cd {} || exit 1\n",
      comment_safe(s.run_id), comment_safe(s.task_id), s.attempt, util::shell_quote(s.workdir));
  auto exported = [&body](std::string_view name, std::string_view value) {
    body += fmt::format("{}={}; export {}\n", name, util::shell_quote(value), name);
  };
  exported("WF_RUN_ID", s.run_id);
  exported("WF_TASK_ID", s.task_id);
  exported("WF_ATTEMPT", std::to_string(s.attempt));
  exported("WF_CPUS", std::to_string(s.cpus));
  exported("WF_MEM", std::to_string(s.mem_bytes));
  if (s.command.shell) {
    body += s.command.script;
    if (body.empty() || body.back() != '\n') body += '\n';
  } else {
    body += "exec";
    for (const auto& word : s.command.argv) body += ' ' + util::shell_quote(word);
    body += '\n';
  }
  return body;
}

std::vector<std::string> sbatch_argv(const JobRequest& r) {
  std::vector<std::string> a = {"sbatch", "--parsable", "--job-name=" + r.name, "--chdir=" + r.workdir,
                                "--output=" + filename_pattern(r.out_path), "--error=" + filename_pattern(r.err_path),
                                "--nodes=1", "--ntasks=1", fmt::format("--cpus-per-task={}", std::max(1, r.cpus))};
  if (r.mem_mib > 0) a.push_back(fmt::format("--mem={}M", r.mem_mib));
  if (r.time_min) a.push_back(fmt::format("--time={}", *r.time_min));
  if (!r.partition.empty()) a.push_back("--partition=" + r.partition);
  if (!r.reservation.empty()) a.push_back("--reservation=" + r.reservation);
  if (!r.after_ok.empty()) {
    std::string dep = "--dependency=afterok";
    for (const auto& id : r.after_ok) dep += ':' + id;
    a.push_back(dep);
    a.push_back("--kill-on-invalid-dep=yes");
  }
  if (r.begin_in_s > 0) a.push_back(fmt::format("--begin=now+{}", r.begin_in_s));
  a.push_back(r.script_path);
  return a;
}

std::string job_name(std::string_view run_id, std::string_view task_id) {
  std::string name = "wf." + sanitise(run_id, false) + "." + sanitise(task_id, true);
  if (name.size() > 200) name.resize(200);
  return name;
}

long long job_nice(int priority, bool privileged) {
  long long nice = -static_cast<long long>(priority) * kNicePerPriority;
  nice = std::clamp(nice, -kMaxNice, kMaxNice);
  return privileged ? nice : std::max(0LL, nice);
}

std::vector<std::string> nice_args(long long nice) {
  if (nice == 0) return {};
  return {fmt::format("--nice={}", nice)};
}

bool nice_refused(std::string_view sbatch_error) { return sbatch_error.find("Invalid --nice value") != std::string_view::npos; }

uint64_t mem_mib(double mem_bytes) {
  if (!(mem_bytes > 0)) return 0;
  return static_cast<uint64_t>(std::ceil(mem_bytes / (1024.0 * 1024.0)));
}

int time_minutes(double seconds) {
  if (!(seconds > 0)) return 1;
  return std::max(1, static_cast<int>(std::ceil(seconds / 60.0 - 1e-9)));
}

}  // namespace wf::run
