#pragma once
// A synthetic wf document of any size, with every section a report draws: workflow, analysis
// (critical path), prediction (timeline, peaks, makespan), plan (local and cloud), provision and
// run (tasks with start_offset_s, retries in history, deviations, usage samples, anomalies).
// Deterministic: the same options give the same text.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <iterator>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "util/clock.h"

namespace wf::report::testing {

struct Synthetic {
  size_t tasks = 10;
  size_t slots = 3;        // tasks that run at once
  size_t categories = 3;
  bool offsets = true;     // measured.start_offset_s (else only started_at)
  bool usage = true;       // run.usage
  bool prediction = true;  // prediction section and deviations
  bool plan = true;        // plan and provision sections
  bool anomalies = true;   // run.anomalies
  bool retries = true;     // every 7th task fails once first
};

namespace detail {

inline double unit_noise(uint64_t i, uint64_t salt) {  // in [0, 1), from a hash of i
  uint64_t x = (i + 1) * 0x9E3779B97F4A7C15ULL ^ salt * 0xBF58476D1CE4E5B9ULL;
  x ^= x >> 31, x *= 0x94D049BB133111EBULL, x ^= x >> 29;
  return static_cast<double>(x >> 11) / 9007199254740992.0;
}

inline std::string category_name(size_t c) {
  static const char* names[] = {"extract", "transform", "load", "align", "sort", "index", "call", "merge", "report", "qc", "filter", "annotate"};
  return c < 12 ? names[c] : fmt::format("stage{:03}", c);
}

struct Run {
  std::string id, category;
  double p50_s, p50_mem, reserved_mem;
  std::vector<std::pair<double, double>> attempts;  // start, runtime
  double rss;
  size_t slot;
};

}  // namespace detail

inline std::string synthetic_document(const Synthetic& s) {
  using namespace detail;
  std::vector<Run> runs;
  std::vector<double> free_at(s.slots, 0);
  for (size_t i = 0; i < s.tasks; ++i) {
    size_t c = i % s.categories;
    Run r;
    r.id = fmt::format("{}-{:05}", category_name(c), i);
    r.category = category_name(c);
    r.p50_s = 4 + 3 * static_cast<double>(c % 5);
    r.p50_mem = (64 + 48 * static_cast<double>(c % 4)) * 1048576;
    r.reserved_mem = std::round(r.p50_mem * 1.5);
    r.slot = static_cast<size_t>(std::min_element(free_at.begin(), free_at.end()) - free_at.begin());
    double t = free_at[r.slot];
    if (s.retries && i % 7 == 3) {
      r.attempts.push_back({t, r.p50_s * 0.5});
      t += r.p50_s * 0.5 + 1;
    }
    double runtime = std::round(r.p50_s * std::exp(1.6 * unit_noise(i, 1) - 0.7) * 1000) / 1000;
    r.attempts.push_back({t, runtime});
    r.rss = std::round(r.p50_mem * std::exp(1.4 * unit_noise(i, 2) - 0.6));
    free_at[r.slot] = t + runtime;
    runs.push_back(r);
  }
  double makespan = *std::max_element(free_at.begin(), free_at.end());
  auto running_at = [&](double t, bool mem) {
    double v = 0;
    for (const auto& r : runs)
      for (const auto& [start, rt] : r.attempts)
        if (start <= t && t < start + rt) v += mem ? r.reserved_mem : 1;
    return v;
  };
  double interval = std::max(0.5, std::ceil(makespan / 400)), peak_cpus_run = 0, peak_mem_run = 0;
  for (double t = 0; t < makespan; t += interval)
    peak_cpus_run = std::max(peak_cpus_run, running_at(t, false)), peak_mem_run = std::max(peak_mem_run, running_at(t, true));
  const double origin = 1'795'917'600;  // 2026-11-29T02:00:00Z
  std::string o;
  auto out = std::back_inserter(o);
  fmt::format_to(out, "{{\"apiVersion\":\"wf/v1\",\"workflow\":{{\"name\":\"synthetic-{}\",\"tasks\":[", s.tasks);
  for (size_t i = 0; i < runs.size(); ++i)
    fmt::format_to(out, "{}{{\"id\":\"{}\",\"category\":\"{}\",\"run\":\"true\"}}", i ? "," : "", runs[i].id, runs[i].category);
  o += "]},\n\"analysis\":{\"critical_path\":{\"tasks\":[";
  bool first = true;
  for (const auto& r : runs)
    if (r.slot == 0) fmt::format_to(out, "{}\"{}\"", first ? "" : ",", r.id), first = false;
  o += "]}}";
  double step = std::max(1.0, std::ceil(makespan / 200));
  if (s.prediction) {
    fmt::format_to(out, ",\n\"prediction\":{{\"seed\":1,\"samples\":100,\"concurrency\":1,\"makespan_s\":{{\"p50\":{},\"p95\":{}}},", std::round(makespan * 0.9),
                   std::round(makespan * 1.15));
    double peak_cpus = 0, peak_mem = 0;
    std::string points;
    for (double t = 0; t < makespan; t += step) {
      double c = running_at(t, false), m = running_at(t, true);
      peak_cpus = std::max(peak_cpus, c), peak_mem = std::max(peak_mem, m);
      fmt::format_to(std::back_inserter(points), "{}{{\"t_s\":{},\"tasks\":{{\"p50\":{},\"p95\":{}}},\"reserved_cpus\":{{\"p50\":{},\"p95\":{}}},"
                     "\"reserved_mem_bytes\":{{\"p50\":{},\"p95\":{}}},\"io_bytes_per_s\":{{\"p50\":{},\"p95\":{}}}}}",
                     points.empty() ? "" : ",", t, c, c + 1, c * 0.9, c * 1.2, std::round(m * 0.9), std::round(m * 1.2), c * 2e7, c * 3e7);
    }
    fmt::format_to(out, "\"peaks\":{{\"reserved_cpus\":{{\"p50\":{},\"p95\":{}}},\"reserved_mem_bytes\":{{\"p50\":{},\"p95\":{}}}}},"
                   "\"timeline\":{{\"step_s\":{},\"points\":[{}]}}}}",
                   peak_cpus * 0.9, peak_cpus * 1.2, std::round(peak_mem * 0.9), std::round(peak_mem * 1.2), step, points);
  }
  if (s.plan) {
    fmt::format_to(out, ",\n\"plan\":{{\"provider\":\"local\",\"quantile\":\"p95\",\"local\":{{\"cpus\":{},\"mem_bytes\":{}}},"
                   "\"cloud\":{{\"region\":\"eu-west-1\",\"items\":[{{\"instance_type\":\"c6i.xlarge\",\"region\":\"eu-west-1\",\"option\":\"spot\","
                   "\"count\":1,\"start_s\":0,\"end_s\":{},\"vcpu\":4,\"mem_bytes\":8589934592,\"compute_usd\":0.0123,\"why\":\"covers the p95 peak\"}}],"
                   "\"total_usd\":0.0131,\"lower_bound_usd\":0.0102,\"ratio_to_bound\":1.284,\"naive\":{{\"region\":\"eu-west-1\",\"total_usd\":0.0461,"
                   "\"what\":\"the forecast peak, on-demand, held for the whole run\"}},\"ratio_to_naive\":0.284,\"billing\":\"per-second\","
                   "\"why\":\"spot is cheapest here\",\"notes\":[]}}}},\n\"provision\":{{\"run_id\":\"r1\",\"cpus\":{},\"mem_bytes\":{},\"resources\":"
                   "[{{\"id\":\"res-1\",\"provider\":\"local\",\"kind\":\"lease\",\"provider_id\":\"res-1\",\"state\":\"active\",\"ttl_s\":600}}]}}",
                   s.slots + 1, 4294967296ULL, std::round(makespan * 1.1), s.slots + 1, 4294967296ULL);
  }
  fmt::format_to(out, ",\n\"run\":{{\"id\":\"r1\",\"executor\":\"local\",\"status\":\"succeeded\",\"started_at\":\"{}\",\"finished_at\":\"{}\","
                 "\"elapsed_s\":{},\"capacity\":{{\"cpus\":{},\"mem_bytes\":{},\"source\":\"flags\"}},\"summary\":{{\"succeeded\":{},\"failed\":0,"
                 "\"not_run\":0,\"retried\":{},\"peak_reserved_cpus\":{},\"peak_reserved_mem_bytes\":{},\"peak_rss_bytes\":{}}},\"tasks\":[\n",
                 util::iso8601(origin), util::iso8601(origin + makespan), makespan, s.slots + 1, 4294967296ULL, s.tasks,
                 s.retries ? (s.tasks + 3) / 7 : 0, peak_cpus_run, peak_mem_run, std::round(peak_mem_run * 0.6));
  for (size_t i = 0; i < runs.size(); ++i) {
    const Run& r = runs[i];
    auto attempt = [&](size_t k) {
      auto [start, rt] = r.attempts[k];
      bool last = k + 1 == r.attempts.size();
      return fmt::format("{{\"status\":\"{}\",\"started_at\":\"{}\",{}\"runtime_s\":{},\"cpu_time_s\":{},\"peak_rss_bytes\":{},\"read_bytes\":{},"
                         "\"write_bytes\":{},\"reserved\":{{\"cpus\":1,\"mem_bytes\":{}}}}}",
                         last ? "succeeded" : "failed", util::iso8601(origin + std::floor(start)),
                         s.offsets ? fmt::format("\"start_offset_s\":{},", start) : "", rt, std::round(rt * 800) / 1000, last ? r.rss : r.reserved_mem,
                         1 << 20, 1 << 22, r.reserved_mem);
    };
    double rt = r.attempts.back().second;
    fmt::format_to(out, "{}{{\"id\":\"{}\",\"status\":\"succeeded\",\"attempts\":{},\"measured\":{}", i ? ",\n" : "", r.id, r.attempts.size(),
                   attempt(r.attempts.size() - 1));
    if (r.attempts.size() > 1) fmt::format_to(out, ",\"history\":[{},{}]", attempt(0), attempt(1));
    if (s.prediction)
      fmt::format_to(out, ",\"deviation\":{{\"runtime_s\":{{\"measured\":{},\"p50\":{},\"p95\":{},\"ratio\":{},\"above_p95\":{}}},"
                     "\"mem_bytes\":{{\"measured\":{},\"p50\":{},\"p95\":{},\"ratio\":{},\"above_p95\":{}}}}}",
                     rt, r.p50_s, r.p50_s * 2, std::round(rt / r.p50_s * 1000) / 1000, rt > r.p50_s * 2, r.rss, r.p50_mem, r.p50_mem * 1.8,
                     std::round(r.rss / r.p50_mem * 1000) / 1000, r.rss > r.p50_mem * 1.8);
    o += "}";
  }
  o += "]";
  if (s.usage) {
    fmt::format_to(out, ",\"usage\":{{\"interval_s\":{},\"points\":[", interval);
    for (double t = 0; t < makespan; t += interval) {
      double c = running_at(t, false), m = running_at(t, true);
      fmt::format_to(out, "{}{{\"t_s\":{},\"running\":{},\"reserved_cpus\":{},\"reserved_mem_bytes\":{},\"rss_bytes\":{},\"cpus\":{},"
                     "\"read_bytes_per_s\":{},\"write_bytes_per_s\":{}}}",
                     t == 0 ? "" : ",", t, c, c, m, std::round(m * 0.6), c * 0.8, c * 1e7, c * 5e6);
    }
    o += "]}";
  }
  if (s.anomalies) {
    o += ",\"anomalies\":[";
    for (size_t i = 5, n = 0; i < runs.size(); i += 97, ++n)
      fmt::format_to(out, "{}{{\"task\":\"{}\",\"measure\":\"mem_bytes\",\"value\":{},\"expected\":{},\"why\":\"peak RSS far above the forecast p95\"}}",
                     n ? "," : "", runs[i].id, runs[i].rss, runs[i].p50_mem * 1.8);
    o += "]";
  }
  o += "}}\n";
  return o;
}

}  // namespace wf::report::testing
