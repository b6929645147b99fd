#pragma once
// One alert: what was anomalous, by how much, against what was expected. The same object goes to
// every sink: a JSON object (the webhook's body, the command's stdin, the "alert" event's members)
// and a one-line description (stderr). See man wf-alerts(7), ALERT JSON.
#include <optional>
#include <string>

#include "alert/rules.h"
#include "io/json.h"

namespace wf::alert {

struct Alert {
  Severity severity = Severity::warning;
  Measure measure = Measure::runtime_s;  // kind_name(measure) is the alert's "kind"
  std::string phase;                     // "running" (seen in a sample) or "finished" (the attempt ended)
  std::string task, category;
  int attempt = 1;
  double value = 0;  // in the measure's unit: seconds or bytes
  // A runtime on a host with more runnable threads than CPUs is judged as it would have been on an
  // idle host (predict/contention.h): `value` is that, `measured` what the clock said and
  // `oversubscription` the host's runnable threads per CPU meanwhile.
  std::optional<double> measured, oversubscription;
  Expected expected;
  std::optional<double> z;  // robust z-score, when the baseline is history
  std::string run_id, workflow;
  double time = 0;       // epoch seconds
  double elapsed_s = 0;  // since the run started
  std::string status;    // finished: the attempt's status
};

// The members of the alert JSON object; `with_time` adds "time" (ISO 8601) — the event stream has
// its own "t".
void fill_json(const Alert& alert, io::Json& obj, io::Alloc& a, bool with_time = true);
// One line of JSON, no trailing newline: fill_json's members and "text" ("wf warning: <message>"),
// which chat webhooks (Slack, Mattermost, Discord's /slack endpoint) display.
std::string to_json(const Alert& alert);
// "task 'align' (category bwa) attempt 1 has run 2m 10s, past its limit 40s (p50 12s; history, 30 samples)"
std::string describe(const Alert& alert);
// A value in the measure's unit, for people ("2m 10s", "1.5 GiB").
std::string show_value(Measure m, double v);

}  // namespace wf::alert
