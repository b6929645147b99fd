#pragma once
// Building the alert observer of a run from plain options (the command line is parsed elsewhere:
// lib/cli/run_alerts.h), the document, the history store and the event stream.
#include <memory>
#include <string>

#include "alert/observer.h"
#include "alert/rules.h"
#include "history/store.h"
#include "io/document.h"
#include "run/events.h"
#include "util/clock.h"

namespace wf::alert {

struct AlertOptions {
  bool enabled = true;
  Thresholds thresholds;
  bool to_stderr = true;
  std::string webhook;  // URL; empty: none
  int webhook_attempts = 5;
  double webhook_timeout_s = 10;  // per request
  std::string command;  // split by split_words; empty: none
  double command_timeout_s = 30;
  double flush_timeout_s = 10;  // at the end of the run, for the webhook and the command together
};

// Throws wf::Error 64 for options that cannot work (a URL that is not http(s)://host, a command
// with an unclosed quote, a command not found: said before the run starts, not at the first alert).
void check_options(const AlertOptions& options);

// Null when alerts are disabled. Reads the baselines now (the prediction section, else the
// store's history per category, the most recent 1000 succeeded rows): call before the executor
// runs. `store` may be null (--no-history); `events` may be a disabled stream.
std::unique_ptr<AlertObserver> make_alert_observer(const AlertOptions& options, const io::Document& doc,
                                                   history::Store* store, run::Events& events, util::Clock& clock,
                                                   const RunContext& context);

}  // namespace wf::alert
