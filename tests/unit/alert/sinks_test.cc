#include <catch2/catch.hpp>

#include <chrono>
#include <fstream>
#include <mutex>
#include <sstream>
#include <thread>

#include <unistd.h>

#include "alert/command.h"
#include "alert/observer.h"
#include "alert/webhook.h"
#include "util/clock.h"
#include "util/error.h"
#include "util/log.h"

using namespace wf;
using namespace wf::alert;

namespace {

Alert an_alert(const std::string& task = "t") {
  Alert a;
  a.task = task;
  a.category = task;
  a.phase = "finished";
  a.value = 100;
  a.expected.p50 = 10;
  a.expected.limit = 50;
  a.expected.source = "history";
  a.run_id = "r";
  a.workflow = "w";
  return a;
}

// Answers with the statuses given, in order (the last one repeated); a status of -1 hangs until
// aborted. Records the bodies.
class FakeTransport : public HttpTransport {
 public:
  explicit FakeTransport(std::vector<long> statuses) : statuses_(std::move(statuses)) {}
  HttpResponse post(const std::string& url, const std::string& body, double, const std::atomic<bool>& abort) override {
    long s;
    {
      std::lock_guard lock(mutex);
      s = statuses_[std::min(calls, statuses_.size() - 1)];
      ++calls;
      bodies.push_back(body);
    }
    if (s == -1) {
      while (!abort) std::this_thread::sleep_for(std::chrono::milliseconds(5));
      return {0, "aborted"};
    }
    if (s == 0) return {0, "connection to " + url + " refused"};
    return {s, ""};
  }
  std::mutex mutex;
  size_t calls = 0;
  std::vector<std::string> bodies;

 private:
  std::vector<long> statuses_;
};

// Captures the diagnostic lines while alive.
struct Diags {
  Diags() { util::set_diag_sink(&Diags::add, this); }
  ~Diags() { util::set_diag_sink(nullptr, nullptr); }
  static void add(std::string_view line, void* self) {
    auto* d = static_cast<Diags*>(self);
    std::lock_guard lock(d->mutex);
    d->text += std::string(line) + "\n";
  }
  std::string all() {
    std::lock_guard lock(mutex);
    return text;
  }
  std::mutex mutex;
  std::string text;
};

WebhookOptions fast(const std::string& url) {
  WebhookOptions o;
  o.url = url;
  o.backoff_s = 0.001;
  o.max_backoff_s = 0.01;
  return o;
}

}  // namespace

TEST_CASE("webhook: retries 5xx and no answer, then delivers") {
  auto transport = std::make_unique<FakeTransport>(std::vector<long>{500, 0, 503, 204});
  FakeTransport* t = transport.get();
  WebhookSink sink(fast("http://127.0.0.1:1/hook"), std::move(transport));
  sink.send(an_alert());
  sink.finish(5);
  CHECK(sink.delivered() == 1);
  CHECK(sink.requests() == 4);
  CHECK(sink.failed() == 0);
  CHECK(sink.abandoned() == 0);
  REQUIRE(t->bodies.size() == 4);
  CHECK(t->bodies[0] == t->bodies[3]);
  CHECK(t->bodies[0].find("\"task\":\"t\"") != std::string::npos);
}

TEST_CASE("webhook: a 4xx answer is final; the warning names the URL redacted") {
  Diags diags;
  auto transport = std::make_unique<FakeTransport>(std::vector<long>{404});
  WebhookSink sink(fast("https://hooks.example.com/services/T0/B0/S3CR3T?token=abcdef"), std::move(transport));
  sink.send(an_alert());
  sink.finish(5);
  CHECK(sink.requests() == 1);
  CHECK(sink.failed() == 1);
  std::string text = diags.all();
  CHECK(text.find("webhook https://hooks.example.com/***: alert not delivered: HTTP 404") != std::string::npos);
  CHECK(text.find("S3CR3T") == std::string::npos);
}

TEST_CASE("webhook: transport errors quoting the URL are scrubbed; attempts are bounded") {
  Diags diags;
  auto transport = std::make_unique<FakeTransport>(std::vector<long>{0});
  WebhookOptions o = fast("http://user:hunter22@127.0.0.1:9/x/S3CR3T");
  o.max_attempts = 3;
  WebhookSink sink(o, std::move(transport));
  sink.send(an_alert());
  sink.finish(5);
  CHECK(sink.requests() == 3);
  CHECK(sink.failed() == 1);
  std::string text = diags.all();
  CHECK(text.find("refused") != std::string::npos);
  CHECK(text.find("hunter22") == std::string::npos);
  CHECK(text.find("S3CR3T") == std::string::npos);
}

TEST_CASE("webhook: a server that never answers is abandoned at the flush deadline") {
  Diags diags;
  auto transport = std::make_unique<FakeTransport>(std::vector<long>{-1});
  WebhookSink sink(fast("http://127.0.0.1:9/hook"), std::move(transport));
  for (int i = 0; i < 3; ++i) sink.send(an_alert());
  auto t0 = std::chrono::steady_clock::now();
  sink.finish(0.2);
  double waited = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  CHECK(waited < 2);  // generous: the point is that it does not wait for the transport
  CHECK(sink.abandoned() == 3);
  CHECK(sink.delivered() == 0);
  CHECK(diags.all().find("3 alerts not delivered by the end of the run") != std::string::npos);
}

TEST_CASE("webhook: a full queue drops with a warning, never blocks") {
  Diags diags;
  auto transport = std::make_unique<FakeTransport>(std::vector<long>{-1});
  WebhookOptions o = fast("http://127.0.0.1:9/hook");
  o.queue_capacity = 2;
  WebhookSink sink(o, std::move(transport));
  for (int i = 0; i < 6; ++i) sink.send(an_alert("t" + std::to_string(i)));
  sink.finish(0);
  CHECK(sink.dropped() >= 3);
  CHECK(diags.all().find("dropped") != std::string::npos);
}

TEST_CASE("split_words: quotes and backslashes, no expansion") {
  CHECK(split_words("mail -s 'wf alert' ops@example.org") == std::vector<std::string>{"mail", "-s", "wf alert", "ops@example.org"});
  CHECK(split_words(R"(sh -c "cat > \"$HOME/x\"")") == std::vector<std::string>{"sh", "-c", "cat > \"$HOME/x\""});
  CHECK(split_words(R"(a\ b  c'd'e)") == std::vector<std::string>{"a b", "cde"});
  CHECK(split_words("echo $(rm -rf x) ; ls") == std::vector<std::string>{"echo", "$(rm", "-rf", "x)", ";", "ls"});
  CHECK_THROWS_AS(split_words("a 'b"), Error);
  CHECK_THROWS_AS(split_words("   "), Error);
}

TEST_CASE("command: gets the alert on stdin, no shell involved") {
  char dir[] = "/tmp/wf-alert-test.XXXXXX";
  REQUIRE(mkdtemp(dir));
  std::string out = std::string(dir) + "/got";
  {
    CommandOptions o;
    o.argv = {"sh", "-c", "cat > \"$0\"", out};
    CommandSink sink(o);
    sink.send(an_alert("one; rm -rf /"));
    sink.finish(10);
    CHECK(sink.ran() == 1);
    CHECK(sink.failed() == 0);
  }
  std::ifstream in(out);
  std::stringstream got;
  got << in.rdbuf();
  CHECK(got.str().find("\"task\":\"one; rm -rf /\"") != std::string::npos);
  CHECK(got.str().back() == '\n');
  std::remove(out.c_str());
  ::rmdir(dir);
}

TEST_CASE("command: a failure is warned with the first line of its output; a slow one is killed") {
  Diags diags;
  {
    CommandOptions o;
    o.argv = {"sh", "-c", "echo 'pager: no route'; exit 3"};
    CommandSink sink(o);
    sink.send(an_alert());
    sink.finish(10);
    CHECK(sink.failed() == 1);
  }
  CHECK(diags.all().find("exit 3: pager: no route") != std::string::npos);
  {
    CommandOptions o;
    o.argv = {"sleep", "30"};
    o.timeout_s = 0.2;
    CommandSink sink(o);
    auto t0 = std::chrono::steady_clock::now();
    sink.send(an_alert());
    sink.finish(10);
    CHECK(std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count() < 5);
    CHECK(sink.failed() == 1);
  }
  CHECK(diags.all().find("still running after 0.2 s: killed") != std::string::npos);
  {
    CommandOptions o;
    o.argv = {"/nonexistent/wf-alert-cmd"};
    CommandSink sink(o);
    sink.send(an_alert());
    sink.finish(10);
    CHECK(sink.failed() == 1);
  }
  CHECK(diags.all().find("cannot run '/nonexistent/wf-alert-cmd'") != std::string::npos);
}

namespace {
struct Recorder : Sink {
  std::vector<Alert>* got;
  bool* finished;
  explicit Recorder(std::vector<Alert>* g, bool* f) : got(g), finished(f) {}
  void send(const Alert& a) override { got->push_back(a); }
  void finish(double) override { *finished = true; }
};
}  // namespace

TEST_CASE("observer: detector to sinks, flushed once at the end") {
  Thresholds t;
  t.min_samples = 3;
  t.runtime_floor_s = 1;
  TaskBaseline b{"a", "a", {}};
  b.expected[0] = expected_from_history({1, 1, 1, 1}, Measure::runtime_s, t);
  std::vector<Alert> got;
  bool finished = false;
  std::vector<std::unique_ptr<Sink>> sinks;
  sinks.push_back(std::make_unique<Recorder>(&got, &finished));
  util::FakeClock clock(1000);
  AlertObserver obs(Detector({b}, t, {"r", "w"}), std::move(sinks), clock, 1);
  run::LiveSample s;
  s.elapsed_s = 10;
  run::RunState state;
  state.now_s = 12;
  obs.sampled(state, std::span<const run::LiveSample>(&s, 1));
  REQUIRE(got.size() == 1);
  CHECK(got[0].time == 1000);
  CHECK(got[0].elapsed_s == 12);
  obs.ended("succeeded", 20);
  CHECK(finished);
  CHECK(obs.alerts() == 1);
}
