#include "cli/run_alerts.h"

namespace wf::cli {

void add_alert_options(CLI::App& app, AlertCli& cli) {
  alert::AlertOptions& o = cli.options;
  alert::Thresholds& t = o.thresholds;
  const char* group = "Alerts (see wf-alerts(7))";
  app.add_flag("--no-alerts", cli.no_alerts, "detect no anomalies, send no alerts")->group(group);
  app.add_option("--alert-threshold", t.z, "robust z-score (log scale, over the category's history) past which a measure is anomalous")
      ->capture_default_str()->check(CLI::PositiveNumber)->type_name("K")->group(group);
  app.add_option("--alert-min-samples", t.min_samples, "history rows a category needs before it is judged")
      ->capture_default_str()->check(CLI::Range(2, 1000000))->type_name("N")->group(group);
  app.add_option("--alert-p99-factor", t.p99_factor, "with a prediction: anomalous past its p99 times this")
      ->capture_default_str()->check(CLI::PositiveNumber)->type_name("F")->group(group);
  app.add_option_function<double>("--alert-time-floor", [&t](double s) { t.runtime_floor_s = t.cpu_floor_s = s; },
                                  "runtime and CPU time within this many seconds of the median never alert (default: 10)")
      ->check(CLI::NonNegativeNumber)->type_name("SECONDS")->group(group);
  app.add_option("--alert-webhook", o.webhook, "POST each alert as JSON to URL (default: $WF_ALERT_WEBHOOK); printed redacted")
      ->envname("WF_ALERT_WEBHOOK")->type_name("URL")->group(group);
  app.add_option("--alert-command", o.command, "run CMD (split into words, no shell) with each alert's JSON on its stdin")
      ->type_name("CMD")->group(group);
  app.add_option("--alert-command-timeout", o.command_timeout_s, "seconds before the alert command is killed")
      ->capture_default_str()->check(CLI::PositiveNumber)->type_name("SECONDS")->group(group);
  app.add_option("--alert-flush-timeout", o.flush_timeout_s, "seconds the run waits at its end for undelivered alerts")
      ->capture_default_str()->check(CLI::NonNegativeNumber)->type_name("SECONDS")->group(group);
}

std::unique_ptr<alert::AlertObserver> make_run_alerts(const AlertCli& cli, const io::Document& doc, history::Store* store,
                                                      run::Events& events, util::Clock& clock,
                                                      const alert::RunContext& context) {
  alert::AlertOptions o = cli.options;
  o.enabled = !cli.no_alerts;
  return alert::make_alert_observer(o, doc, store, events, clock, context);
}

}  // namespace wf::cli
