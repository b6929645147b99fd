#include <catch2/catch.hpp>

#include <cmath>

#include "alert/redact.h"
#include "alert/rules.h"

using namespace wf::alert;

TEST_CASE("history baseline: median and scaled MAD on the log scale") {
  Thresholds t;
  t.min_samples = 5;
  t.runtime_floor_s = 0;
  t.min_log_spread = 0;
  std::vector<double> v = {100, 110, 90, 105, 95, 100, 1e6};  // one wild value barely moves it
  auto e = expected_from_history(v, Measure::runtime_s, t);
  REQUIRE(e);
  CHECK(e->samples == 7);
  CHECK(e->p50 == Approx(100));
  CHECK(e->log_spread == Approx(1.4826 * std::log(100.0 / 95)));
  CHECK(e->limit == Approx(std::exp(std::log(100) + 5 * e->log_spread)));
  CHECK(e->source == "history");
  CHECK_FALSE(judge(*e, 120, t));
  CHECK(judge(*e, 200, t) == Severity::warning);
  CHECK(judge(*e, e->limit * 2.5, t) == Severity::critical);
  REQUIRE(robust_z(*e, 300));
  CHECK(*robust_z(*e, 300) > 5);
}

TEST_CASE("too few samples, zeros and non-finite values give no baseline") {
  Thresholds t;
  t.min_samples = 3;
  CHECK_FALSE(expected_from_history({1, 2}, Measure::runtime_s, t));
  CHECK_FALSE(expected_from_history({0, 0, 0, 1, NAN}, Measure::runtime_s, t));
  CHECK(expected_from_history({0, 1, 2, 3}, Measure::runtime_s, t));
}

TEST_CASE("a category that always took the same time is not flagged for a small excess") {
  Thresholds t;
  t.min_samples = 3;
  t.runtime_floor_s = 0;
  auto e = expected_from_history(std::vector<double>(10, 60.0), Measure::runtime_s, t);
  REQUIRE(e);
  CHECK(e->log_spread == Approx(t.min_log_spread));
  CHECK_FALSE(judge(*e, 66, t));
  CHECK(judge(*e, 60 * std::exp(0.6), t));
}

TEST_CASE("the absolute floor keeps short tasks quiet") {
  Thresholds t;
  t.min_samples = 3;
  auto e = expected_from_history({0.1, 0.12, 0.11, 0.1}, Measure::runtime_s, t);
  REQUIRE(e);
  CHECK(e->limit == Approx(e->p50 + t.runtime_floor_s));
  CHECK_FALSE(judge(*e, 5, t));
  CHECK(judge(*e, 11, t));
}

TEST_CASE("model interval: p99 times the factor") {
  Thresholds t;
  auto e = expected_from_model(100, 200, "loglinear(input_bytes)", 40, Measure::runtime_s, t);
  CHECK(e.limit == Approx(300));
  CHECK(e.source == "prediction:loglinear(input_bytes)");
  CHECK_FALSE(robust_z(e, 500));
  CHECK_FALSE(judge(e, 290, t));
  CHECK(judge(e, 310, t) == Severity::warning);
}

TEST_CASE("kinds and measures parse both ways") {
  for (Measure m : kMeasures) {
    CHECK(parse_kind(kind_name(m)) == m);
    CHECK(parse_kind(measure_name(m)) == m);
  }
  CHECK_FALSE(parse_kind("disk"));
}

TEST_CASE("redact_url keeps the server, hides userinfo, path and query") {
  CHECK(redact_url("https://hooks.slack.com/services/T000/B000/XXXXSECRET") == "https://hooks.slack.com/***");
  CHECK(redact_url("https://discord.com/api/webhooks/123/tok-en") == "https://discord.com/***");
  CHECK(redact_url("http://user:pa55@127.0.0.1:8080/hook?token=abc#x") == "http://***@127.0.0.1:8080/***");
  CHECK(redact_url("http://example.org?token=abc") == "http://example.org***");
  CHECK(redact_url("http://example.org/") == "http://example.org");
  CHECK(redact_url("http://example.org") == "http://example.org");
  CHECK(redact_url("not a url with SECRET") == "***");
  CHECK(redact_url("://x") == "***");
}

TEST_CASE("scrub removes the URL's secret parts from a message") {
  std::string url = "https://bot:pa55word@hooks.example.com/services/T0AAA/B0BBB/XyZsecret?token=qwerty";
  std::string msg = "Failed to post to https://bot:pa55word@hooks.example.com/services/T0AAA/B0BBB/XyZsecret?token=qwerty: "
                    "XyZsecret rejected, token qwerty, user bot:pa55word";
  std::string s = scrub(msg, url);
  for (const char* secret : {"pa55word", "XyZsecret", "qwerty", "T0AAA", "B0BBB"}) CHECK(s.find(secret) == std::string::npos);
  CHECK(s.find("hooks.example.com") != std::string::npos);
  CHECK(scrub("plain message", "garbage-url") == "plain message");
}
