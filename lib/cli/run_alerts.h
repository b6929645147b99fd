#pragma once
// wf-run's alert options (man wf-alerts(7)): the command line into alert::AlertOptions, and the
// observer built from them. The logic lives in lib/alert (setup.h); this is the flag parsing.
//
// Wiring (wf-run, local executor): add_alert_options(app, alerts) next to the other flags; after
// the executor is constructed and before executor.run():
//   auto alert_observer = make_run_alerts(alerts, doc, store ? &*store : nullptr, *events, clock, {run_id, eo.workflow_name});
//   if (alert_observer) executor.observe(*alert_observer);
// The baselines are read from the store there, before the executor's writer thread owns it.
#include <memory>
#include <string>

#include <CLI/CLI.hpp>

#include "alert/observer.h"
#include "alert/setup.h"
#include "history/store.h"
#include "io/document.h"
#include "run/events.h"
#include "util/clock.h"

namespace wf::cli {

struct AlertCli {
  alert::AlertOptions options;
  bool no_alerts = false;
};

// --no-alerts, --alert-threshold, --alert-min-samples, --alert-p99-factor, --alert-time-floor,
// --alert-webhook (or $WF_ALERT_WEBHOOK), --alert-command, --alert-command-timeout,
// --alert-flush-timeout.
void add_alert_options(CLI::App& app, AlertCli& cli);

// Null with --no-alerts. Throws wf::Error 64 for a webhook that is no http(s) URL, a command with
// an unclosed quote or not found.
std::unique_ptr<alert::AlertObserver> make_run_alerts(const AlertCli& cli, const io::Document& doc, history::Store* store,
                                                      run::Events& events, util::Clock& clock,
                                                      const alert::RunContext& context);

}  // namespace wf::cli
