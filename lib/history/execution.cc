#include "history/execution.h"

#include <algorithm>
#include <array>
#include <cmath>

#include "util/error.h"

namespace wf::history {
namespace {

constexpr std::array<std::pair<Status, std::string_view>, 6> kStatusNames{{
    {Status::succeeded, "succeeded"},
    {Status::failed, "failed"},
    {Status::timeout, "timeout"},
    {Status::oom, "oom"},
    {Status::interrupted, "interrupted"},
    {Status::cancelled, "cancelled"},
}};

std::optional<std::string> check_real(const std::optional<double>& v, std::string_view name) {
  if (v && (!std::isfinite(*v) || *v < 0)) return fmt::format("{} must be finite and >= 0", name);
  return std::nullopt;
}

std::optional<std::string> check_count(const std::optional<std::int64_t>& v, std::string_view name) {
  if (v && *v < 0) return fmt::format("{} must be >= 0", name);
  return std::nullopt;
}

std::optional<std::string> check_features(const Execution& e) {
  std::vector<std::string_view> names;
  for (const auto& [name, value] : e.features) {
    if (name.empty()) return "a feature with an empty name";
    if (!std::isfinite(value)) return fmt::format("feature '{}' is not a finite number", name);
    names.push_back(name);
  }
  std::sort(names.begin(), names.end());
  auto dup = std::adjacent_find(names.begin(), names.end());
  if (dup != names.end()) return fmt::format("feature '{}' given twice", *dup);
  return std::nullopt;
}

}  // namespace

std::string_view to_string(Status s) {
  for (const auto& [status, name] : kStatusNames)
    if (status == s) return name;
  return "?";
}

std::optional<Status> parse_status(std::string_view s) {
  for (const auto& [status, name] : kStatusNames)
    if (name == s) return status;
  return std::nullopt;
}

std::string describe(const Execution& e) {
  return fmt::format("run '{}' task '{}' attempt {}", e.run_id, e.task_id, e.attempt);
}

std::optional<std::string> find_problem(const Execution& e) {
  if (e.run_id.empty()) return "empty run id";
  if (e.task_id.empty()) return "empty task id";
  if (e.category.empty()) return "empty category";
  if (e.executor.empty()) return "empty executor";
  if (e.attempt < 1) return "attempt must be >= 1";
  if (e.signal < 0) return "signal must be >= 0";
  if (e.start_s && !std::isfinite(*e.start_s)) return "start time must be finite";
  for (auto problem : {check_real(e.end_s, "end time"), check_real(e.runtime_s, "runtime_s"),
                       check_real(e.cpu_time_s, "cpu_time_s"), check_real(e.cpus_reserved, "cpus_reserved"),
                       check_real(e.host_runnable, "host_runnable"),
                       check_count(e.peak_rss_bytes, "peak_rss_bytes"), check_count(e.read_bytes, "read_bytes"),
                       check_count(e.write_bytes, "write_bytes"),
                       check_count(e.mem_reserved_bytes, "mem_reserved_bytes")})
    if (problem) return problem;
  if (e.start_s && e.end_s && *e.end_s < *e.start_s) return "end time before start time";
  if (e.host_runnable.has_value() != e.host_cpus.has_value()) return "host_runnable and host_cpus go together";
  if (e.host_cpus && !(std::isfinite(*e.host_cpus) && *e.host_cpus > 0)) return "host_cpus must be positive";
  return check_features(e);
}

void validate(const Execution& e) {
  if (auto problem = find_problem(e)) fail(util::Exit::data, "history: {}: {}", describe(e), *problem);
}

}  // namespace wf::history
