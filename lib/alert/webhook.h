#pragma once
// --alert-webhook URL: each alert POSTed as a JSON body, from the sink's own thread (background.h).
// A failed delivery (no answer, a timeout, HTTP 429 or 5xx) is tried again after an exponential
// backoff with jitter; other 4xx answers are final. The URL is never printed as given: every
// message names it through redact_url, and library errors are scrubbed of its secret parts.
#include <atomic>
#include <cstdint>
#include <memory>
#include <random>
#include <string>

#include "alert/background.h"

namespace wf::alert {

struct HttpResponse {
  long status = 0;    // the HTTP status; 0 when there was none (error says why)
  std::string error;  // may quote the URL: scrub it before printing
};

// The seam between the sink and libcurl; tests hand the sink a fake.
class HttpTransport {
 public:
  virtual ~HttpTransport() = default;
  // POSTs `body` as application/json, waiting at most timeout_s; returns early (status 0) when
  // *abort turns true.
  virtual HttpResponse post(const std::string& url, const std::string& body, double timeout_s,
                            const std::atomic<bool>& abort) = 0;
};

// libcurl (easy handle driven by a multi handle, polled every 100 ms, so an abort is prompt).
// Initialises libcurl once for the process: call from the main thread, before other threads.
std::unique_ptr<HttpTransport> curl_transport();

struct WebhookOptions {
  std::string url;
  size_t queue_capacity = 256;
  int max_attempts = 5;
  double backoff_s = 0.5;      // before the second attempt, then doubled each time
  double max_backoff_s = 30;
  double request_timeout_s = 10;
  uint64_t seed = 1;           // the jitter's (x0.5 to x1.5 of each backoff)
};

class WebhookSink : public BackgroundSink {
 public:
  WebhookSink(WebhookOptions options, std::unique_ptr<HttpTransport> transport);
  ~WebhookSink() override;

  size_t delivered() const { return delivered_; }
  size_t failed() const { return failed_; }  // given up after the attempts, or a final answer
  size_t requests() const { return requests_; }

 private:
  void deliver(const std::string& json) override;

  WebhookOptions options_;
  std::unique_ptr<HttpTransport> transport_;
  std::mt19937_64 rng_;
  std::atomic<size_t> delivered_{0}, failed_{0}, requests_{0};
};

}  // namespace wf::alert
