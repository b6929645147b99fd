#include "alert/alert.h"

#include <cmath>

#include <fmt/format.h>

#include "model/units.h"
#include "util/clock.h"

namespace wf::alert {

std::string show_value(Measure m, double v) {
  if (m == Measure::runtime_s || m == Measure::cpu_time_s) return model::format_duration(v);
  return model::format_bytes(v);
}

namespace {
// Micro-units at most: a duration to the microsecond, a byte count as it is.
io::Json rounded(double v) { return io::number(std::round(v * 1e6) / 1e6); }
}  // namespace

void fill_json(const Alert& al, io::Json& o, io::Alloc& a, bool with_time) {
  io::put(o, "severity", to_string(al.severity), a);
  io::put(o, "kind", kind_name(al.measure), a);
  io::put(o, "phase", al.phase, a);
  io::put(o, "task", al.task, a);
  io::put(o, "attempt", al.attempt, a);
  io::put(o, "category", al.category, a);
  io::put(o, "measure", measure_name(al.measure), a);
  io::put(o, "value", rounded(al.value), a);
  if (al.measured) io::put(o, "measured", rounded(*al.measured), a);
  if (al.oversubscription) io::put(o, "oversubscription", io::number(std::round(*al.oversubscription * 100) / 100), a);
  io::Json ex(rapidjson::kObjectType);
  io::put(ex, "p50", rounded(al.expected.p50), a);
  io::put(ex, "p99", rounded(al.expected.p99), a);
  io::put(ex, "limit", rounded(al.expected.limit), a);
  io::put(ex, "source", al.expected.source, a);
  io::put(ex, "samples", static_cast<uint64_t>(al.expected.samples), a);
  io::put(o, "expected", std::move(ex), a);
  if (al.z) io::put(o, "z", io::number(std::round(*al.z * 100) / 100), a);
  if (!al.status.empty()) io::put(o, "status", al.status, a);
  io::put(o, "run_id", al.run_id, a);
  io::put(o, "workflow", al.workflow, a);
  if (with_time) io::put(o, "time", util::iso8601(al.time), a);
  io::put(o, "elapsed_s", io::number(std::round(al.elapsed_s * 1000) / 1000), a);
  io::put(o, "message", describe(al), a);
}

std::string to_json(const Alert& alert) {
  io::JsonDoc doc(rapidjson::kObjectType);
  fill_json(alert, doc, doc.GetAllocator());
  // Slack, Mattermost and Discord (its .../slack endpoint) show "text" and ignore the rest.
  io::put(doc, "text", fmt::format("wf {}: {}", to_string(alert.severity), describe(alert)), doc.GetAllocator());
  return io::to_json(doc, false);
}

std::string describe(const Alert& al) {
  std::string who = al.category == al.task ? fmt::format("task '{}'", al.task)
                                           : fmt::format("task '{}' (category {})", al.task, al.category);
  std::string what;
  switch (al.measure) {
    case Measure::runtime_s: what = al.phase == "running" ? "has run" : "ran"; break;
    case Measure::peak_rss_bytes: what = al.phase == "running" ? "uses (and grows)" : "peaked at"; break;
    case Measure::cpu_time_s: what = al.phase == "running" ? "has used CPU" : "used CPU"; break;
    case Measure::read_bytes: what = al.phase == "running" ? "has read" : "read"; break;
    case Measure::write_bytes: what = al.phase == "running" ? "has written" : "wrote"; break;
  }
  std::string how = al.expected.source == "history"
                        ? fmt::format("history, {} samples{}", al.expected.samples,
                                      al.z ? fmt::format(", z {:.1f}", *al.z) : std::string())
                        : fmt::format("{}, {} samples", al.expected.source, al.expected.samples);
  std::string value = show_value(al.measure, al.value);
  if (al.measured)
    value += fmt::format(" as on an idle host ({} measured, {:.1f} runnable threads per CPU)",
                         show_value(al.measure, *al.measured), al.oversubscription.value_or(1));
  return fmt::format("{} attempt {} {} {}, past its limit {} (p50 {}; {})", who, al.attempt, what, value,
                     show_value(al.measure, al.expected.limit), show_value(al.measure, al.expected.p50), how);
}

}  // namespace wf::alert
