#include "run/slurm_outcome.h"

#include <algorithm>
#include <cmath>
#include <fstream>

namespace wf::run {

std::string attempt_status(const JobEnd& end, double reserved_mem_bytes, std::string_view log_tail, bool cancelled_by_wf) {
  const auto& m = end.measured;
  if (end.state == "COMPLETED" && m.exit_code.value_or(0) == 0) return "succeeded";
  if (end.state == "OUT_OF_MEMORY") return "oom";
  bool killed = m.signal == 9;
  bool said_so = log_tail.find("exceeded memory limit") != std::string_view::npos;
  bool near_limit = reserved_mem_bytes > 0 && m.peak_rss_bytes &&
                    static_cast<double>(*m.peak_rss_bytes) >= 0.9 * reserved_mem_bytes;
  if (killed && (said_so || near_limit) && !cancelled_by_wf) return "oom";
  if (cancelled_by_wf) return "interrupted";
  if (end.state == "TIMEOUT" || end.state == "DEADLINE") return "timeout";
  if (end.state == "CANCELLED") return "cancelled";
  return "failed";
}

AttemptResult attempt_result(const JobEnd& end, const std::string& status, const schedule::Demand& reserved) {
  const auto& m = end.measured;
  AttemptResult ar;
  ar.status = status;
  ar.exit_code = m.exit_code;
  ar.signal = m.signal;
  ar.start_s = m.start_s.value_or(0);
  ar.end_s = m.end_s.value_or(ar.start_s);
  ar.runtime_s = m.runtime_s.value_or(std::max(0.0, ar.end_s - ar.start_s));
  ar.cpu_time_s = m.cpu_time_s.value_or(0);
  ar.peak_rss_bytes = static_cast<uint64_t>(std::max<int64_t>(0, m.peak_rss_bytes.value_or(0)));
  ar.read_bytes = static_cast<uint64_t>(std::max<int64_t>(0, m.read_bytes.value_or(0)));
  ar.write_bytes = static_cast<uint64_t>(std::max<int64_t>(0, m.write_bytes.value_or(0)));
  ar.reserved = reserved;
  return ar;
}

double grown_memory(const JobEnd& end, double reserved_mem_bytes, double growth, double cap_bytes) {
  const auto& m = end.measured;
  double base = std::max({reserved_mem_bytes, static_cast<double>(m.peak_rss_bytes.value_or(0)),
                          static_cast<double>(m.mem_reserved_bytes.value_or(0))});
  double next = base * growth;
  if (cap_bytes > 0) next = std::min(next, cap_bytes);
  constexpr double mib = 1024.0 * 1024.0;
  return std::ceil(next / mib) * mib;
}

std::string file_tail(const std::string& path, size_t max_bytes) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return "";
  in.seekg(0, std::ios::end);
  auto size = static_cast<size_t>(std::max<std::streamoff>(0, in.tellg()));
  size_t from = size > max_bytes ? size - max_bytes : 0;
  in.seekg(static_cast<std::streamoff>(from));
  std::string out(size - from, '\0');
  in.read(out.data(), static_cast<std::streamsize>(out.size()));
  out.resize(static_cast<size_t>(in.gcount()));
  return out;
}

}  // namespace wf::run
