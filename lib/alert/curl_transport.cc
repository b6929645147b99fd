// The webhook's HTTP client: libcurl, one easy handle per request, driven by a multi handle so
// that the sink's abort is noticed within 100 ms even while the server says nothing.
#include <mutex>

#include <curl/curl.h>

#include "alert/webhook.h"

namespace wf::alert {
namespace {

size_t discard(char*, size_t size, size_t n, void*) { return size * n; }

class CurlTransport : public HttpTransport {
 public:
  HttpResponse post(const std::string& url, const std::string& body, double timeout_s,
                    const std::atomic<bool>& abort) override {
    HttpResponse r;
    CURL* easy = curl_easy_init();
    CURLM* multi = curl_multi_init();
    if (!easy || !multi) {
      if (easy) curl_easy_cleanup(easy);
      if (multi) curl_multi_cleanup(multi);
      r.error = "cannot initialise libcurl";
      return r;
    }
    char error[CURL_ERROR_SIZE] = {0};
    curl_slist* headers = curl_slist_append(nullptr, "Content-Type: application/json");
    curl_easy_setopt(easy, CURLOPT_URL, url.c_str());
    curl_easy_setopt(easy, CURLOPT_POSTFIELDS, body.c_str());
    curl_easy_setopt(easy, CURLOPT_POSTFIELDSIZE, static_cast<long>(body.size()));
    curl_easy_setopt(easy, CURLOPT_HTTPHEADER, headers);
    curl_easy_setopt(easy, CURLOPT_USERAGENT, "wf-alert/1");
    curl_easy_setopt(easy, CURLOPT_TIMEOUT_MS, static_cast<long>(timeout_s * 1000));
    curl_easy_setopt(easy, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(std::min(timeout_s, 5.0) * 1000));
    curl_easy_setopt(easy, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(easy, CURLOPT_ERRORBUFFER, error);
    curl_easy_setopt(easy, CURLOPT_WRITEFUNCTION, discard);
    curl_easy_setopt(easy, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_multi_add_handle(multi, easy);
    int running = 1;
    CURLcode code = CURLE_OK;
    while (running && !abort) {
      if (curl_multi_perform(multi, &running) != CURLM_OK) break;
      if (running) curl_multi_poll(multi, nullptr, 0, 100, nullptr);
    }
    int left = 0;
    while (CURLMsg* m = curl_multi_info_read(multi, &left))
      if (m->msg == CURLMSG_DONE) code = m->data.result;
    if (abort && running) {
      r.error = "aborted at the end of the run";
    } else if (code != CURLE_OK) {
      r.error = error[0] ? error : curl_easy_strerror(code);
    } else {
      curl_easy_getinfo(easy, CURLINFO_RESPONSE_CODE, &r.status);
    }
    curl_multi_remove_handle(multi, easy);
    curl_easy_cleanup(easy);
    curl_multi_cleanup(multi);
    curl_slist_free_all(headers);
    return r;
  }
};

}  // namespace

std::unique_ptr<HttpTransport> curl_transport() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
  return std::make_unique<CurlTransport>();
}

}  // namespace wf::alert
