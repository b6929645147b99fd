#include "alert/webhook.h"

#include <algorithm>
#include <cmath>

#include "alert/redact.h"
#include "util/log.h"

namespace wf::alert {

WebhookSink::WebhookSink(WebhookOptions options, std::unique_ptr<HttpTransport> transport)
    : BackgroundSink("webhook " + redact_url(options.url), options.queue_capacity),
      options_(std::move(options)),
      transport_(std::move(transport)),
      rng_(options_.seed) {
  start();
}

WebhookSink::~WebhookSink() { finish(0); }

void WebhookSink::deliver(const std::string& json) {
  double backoff = options_.backoff_s;
  std::string last;
  for (int attempt = 1; attempt <= options_.max_attempts; ++attempt) {
    ++requests_;
    HttpResponse r = transport_->post(options_.url, json, options_.request_timeout_s, abort_flag());
    if (r.status >= 200 && r.status < 300) {
      ++delivered_;
      return;
    }
    if (aborted()) return;  // counted as abandoned by finish()
    last = r.status ? "HTTP " + std::to_string(r.status) : scrub(r.error, options_.url);
    bool retry = r.status == 0 || r.status == 429 || r.status >= 500;
    if (!retry) break;
    if (attempt == options_.max_attempts) break;
    double jitter = std::uniform_real_distribution<double>(0.5, 1.5)(rng_);
    if (!pause(std::min(backoff, options_.max_backoff_s) * jitter)) return;
    backoff *= 2;
  }
  ++failed_;
  util::warn("{}: alert not delivered: {}", what(), last);
}

}  // namespace wf::alert
