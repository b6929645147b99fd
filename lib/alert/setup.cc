#include "alert/setup.h"

#include "alert/baselines.h"
#include "alert/command.h"
#include "alert/redact.h"
#include "alert/spawn.h"
#include "alert/webhook.h"
#include "predict/forecast.h"
#include "util/error.h"
#include "util/log.h"

namespace wf::alert {

void check_options(const AlertOptions& o) {
  if (!o.webhook.empty()) {
    bool http = o.webhook.starts_with("http://") || o.webhook.starts_with("https://");
    if (!http || redact_url(o.webhook) == "***")
      fail(util::Exit::usage, "--alert-webhook: '{}' is not an http:// or https:// URL", redact_url(o.webhook));
  }
  if (!o.command.empty()) resolve_program(split_words(o.command).front());
  const Thresholds& t = o.thresholds;
  if (!(t.z > 0) || !(t.p99_factor > 0) || t.min_samples < 2)
    fail(util::Exit::usage, "alert thresholds: the threshold and factor must be positive and the minimum samples at least 2");
}

std::unique_ptr<AlertObserver> make_alert_observer(const AlertOptions& o, const io::Document& doc, history::Store* store,
                                                   run::Events& events, util::Clock& clock, const RunContext& context) {
  if (!o.enabled) return nullptr;
  check_options(o);
  const model::Workflow& wf = doc.workflow();
  std::optional<std::vector<predict::Estimate>> estimates;
  if (const io::Json* pred = doc.section("prediction")) estimates = predict::estimates_from_json(*pred, wf);
  HistoryLoader loader;
  if (store)
    loader = [store](std::string_view category) {
      history::QueryOptions q;
      q.only_succeeded = true;
      q.limit = 1000;
      return store->samples(category, q);
    };
  Detector detector(build_baselines(wf, estimates ? &*estimates : nullptr, loader, o.thresholds), o.thresholds, context);

  std::vector<std::unique_ptr<Sink>> sinks;
  if (o.to_stderr) sinks.push_back(std::make_unique<StderrSink>());
  if (events.enabled()) sinks.push_back(std::make_unique<EventsSink>(events));
  if (!o.webhook.empty()) {
    WebhookOptions w;
    w.url = o.webhook;
    w.max_attempts = o.webhook_attempts;
    w.request_timeout_s = o.webhook_timeout_s;
    sinks.push_back(std::make_unique<WebhookSink>(w, curl_transport()));
  }
  if (!o.command.empty()) {
    CommandOptions c;
    c.argv = split_words(o.command);
    c.timeout_s = o.command_timeout_s;
    sinks.push_back(std::make_unique<CommandSink>(std::move(c)));
  }
  return std::make_unique<AlertObserver>(std::move(detector), std::move(sinks), clock, o.flush_timeout_s);
}

}  // namespace wf::alert
