// Memory sizing: the accounting, each baseline on a tiny stream, and wf's sizer on synthetic
// streams whose truth is known. No trace files.
#include <catch2/catch.hpp>

#include <cmath>
#include <cstdint>
#include <vector>

#include "predict/memsize.h"
#include "predict/memsize_adaptive.h"
#include "predict/memsize_baselines.h"
#include "predict/memsize_regression.h"
#include "predict/memsize_replay.h"
#include "predict/memsize_retry.h"
#include "util/error.h"

using namespace wf::predict;

namespace {

constexpr Bytes GB = 1'000'000'000;

MemorySample task(double feature, Bytes usage, double runtime_s = 3600) { return {feature, usage, runtime_s}; }

// A tiny portable generator (splitmix64), so streams are the same everywhere.
struct Rng {
  uint64_t s;
  double uniform() {  // [0, 1)
    uint64_t z = (s += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return static_cast<double>((z ^ (z >> 31)) >> 11) * 0x1.0p-53;
  }
};

// Usage = 0.2 GB + 0.5 × input, ±5% noise; inputs log-uniform over 1–100 GB; runtimes 10–60 min.
std::vector<MemorySample> linear_stream(uint64_t seed, size_t n) {
  Rng rng{seed};
  std::vector<MemorySample> out;
  for (size_t i = 0; i < n; ++i) {
    double x = 1e9 * std::pow(100.0, rng.uniform());
    double y = (0.2e9 + 0.5 * x) * (0.95 + 0.1 * rng.uniform());
    out.push_back(task(x, static_cast<Bytes>(y), 600 + 3000 * rng.uniform()));
  }
  return out;
}

std::vector<Bytes> first_allocations(MemorySizer& sizer, const std::vector<MemorySample>& history,
                                     const std::vector<MemorySample>& stream) {
  sizer.train(history);
  std::vector<Bytes> out;
  for (const auto& t : stream) {
    out.push_back(sizer.first(t.feature));
    sizer.observe(t);
  }
  return out;
}

}  // namespace

TEST_CASE("accounting: a failed attempt costs a·t, the one that fits its surplus") {
  // y = 2 GB for 1 h; attempts 1 GB (killed) then 4 GB.
  std::vector<Bytes> allocs{1 * GB, 4 * GB};
  auto c = account(allocs, task(0, 2 * GB));
  CHECK(c.failures == 1);
  CHECK(c.usage_gbh == Approx(2.0));
  CHECK(c.failed_gbh == Approx(1.0));
  CHECK(c.over_gbh == Approx(2.0));
  CHECK(c.wastage_gbh() == Approx(3.0));
  CHECK(c.maq() == Approx(0.4));
  CHECK(gb_hours(1.5e9, 1800) == Approx(0.75));

  std::vector<Bytes> requested{3 * GB};
  std::vector<MemorySample> tasks{task(0, 2 * GB, 1800)};
  auto p = score_fixed(requested, tasks);
  CHECK(p.over_gbh == Approx(0.5));
  CHECK(p.failures == 0);
}

TEST_CASE("replay sizes each task before learning it and retries until it fits") {
  MaxSeenSizer sizer;
  std::vector<MemorySample> history{task(0, 1 * GB)};
  // 3 GB > 1 GB: fails at 1, again at 2, fits at 4 (waste 1 + 2 + 1); then max is 3: 2 GB fits (waste 1).
  std::vector<MemorySample> stream{task(0, 3 * GB), task(0, 2 * GB)};
  auto c = replay(sizer, history, stream);
  CHECK(c.failures == 2);
  CHECK(c.wastage_gbh() == Approx(5.0));
  CHECK(c.tasks == 2);
}

TEST_CASE("baselines on a tiny stream") {
  std::vector<MemorySample> three{task(0, 1 * GB), task(0, 3 * GB), task(0, 2 * GB)};

  SECTION("max-seen: the largest usage, doubled on failure") {
    MaxSeenSizer s;
    CHECK(s.first(0) == kUnseenBytes);
    s.train(three);
    CHECK(s.first(123) == 3 * GB);
    CHECK(s.retry(0, 3 * GB, std::nullopt, 1) == 6 * GB);
  }
  SECTION("percentile-95: linear interpolation between ranks") {
    PercentileSizer s(0.95);
    for (Bytes v : {5, 1, 4, 2, 3}) s.observe(task(0, v * GB));
    CHECK(s.first(0) == 4'800'000'000);  // rank 3.8 of 1..5 GB
    CHECK(s.retry(0, 4'800'000'000, std::nullopt, 1) == 9'600'000'000);
    CHECK(s.name() == "percentile-95");
  }
  SECTION("linear + std offset: the population std of past relative errors") {
    // Trained on y = 1 + 2x (GB); then two tasks predicted 2 and 2.1667 GB that used 2.5 and 1.5 GB:
    // relative errors 0.2 and -0.4444, population std 0.3222; only 0.2 is an under-prediction.
    std::vector<MemorySample> line{task(0, 1 * GB), task(1e9, 3 * GB)};
    LinearOffsetSizer all(OffsetMode::std_all), under(OffsetMode::std_under);
    all.train(line);
    under.train(line);
    CHECK(all.first(0.5e9) == 2 * GB);  // no errors yet: no offset
    for (auto* s : {&all, &under}) {
      s->observe(task(0.5e9, 2'500'000'000));
      s->observe(task(0.5e9, 1'500'000'000));
    }
    // Refit on the four points: y = 1 + 2x again, so 3 GB at x = 1 GB.
    CHECK(static_cast<double>(all.first(1e9)) == Approx(3e9 * (1 + 0.322222)).epsilon(1e-4));
    CHECK(under.first(1e9) == 3 * GB);  // std of a single error is 0
    CHECK(all.retry(0, 5 * GB, std::nullopt, 1) == 10 * GB);
  }
  SECTION("linear: a non-positive allocation becomes the largest usage seen") {
    LinearOffsetSizer s(OffsetMode::std_all);
    std::vector<MemorySample> falling{task(0, 5 * GB), task(2e9, 1 * GB)};  // y = 5 - 2x (GB)
    s.train(falling);
    CHECK(s.first(3e9) == 5 * GB);
  }
  SECTION("Tovar waste mode: argmin of v·E[t] + v_max·E[t·1(y > v)]; retry max seen, then a node") {
    TovarSizer s;
    // Equal runtimes: a=10 costs 10, a=2 costs 2 + 10/3, a=1 costs 1 + 20/3.
    for (Bytes v : {1, 2, 10}) s.observe(task(0, v * GB));
    CHECK(s.first(0) == 2 * GB);
    CHECK(s.retry(0, 2 * GB, std::nullopt, 1) == 10 * GB);
    CHECK(s.retry(0, 10 * GB, std::nullopt, 2) == kNodeBytes);
  }
}

TEST_CASE("quantile_sorted interpolates like numpy and rejects an empty range") {
  std::vector<double> v{1, 2, 3, 4};
  CHECK(quantile_sorted(v, 0.0) == 1);
  CHECK(quantile_sorted(v, 1.0) == 4);
  CHECK(quantile_sorted(v, 0.5) == Approx(2.5));
  CHECK_THROWS_AS(quantile_sorted({}, 0.5), wf::Error);
}

TEST_CASE("online regression is exact on a line with inputs of 1e10 bytes, and falls back to the mean") {
  OnlineRegression r(1);
  for (double x : {1e10, 2e10, 3.5e10, 7e10}) r.add({&x, 1}, 3e8 + 0.25 * x);
  double at = 5e10;
  CHECK(*r.predict({&at, 1}) == Approx(3e8 + 0.25 * 5e10).epsilon(1e-9));
  OnlineRegression flat(1);
  for (double y : {1.0, 2.0, 6.0}) {
    double x = 4e9;
    flat.add({&x, 1}, y);
  }
  CHECK(*flat.predict({&at, 1}) == Approx(3.0));
  CHECK_FALSE(OnlineRegression(1).predict({&at, 1}).has_value());
  CHECK_THROWS_AS(r.add({&at, 1}, 1.0, 0.0), wf::Error);
}

TEST_CASE("the conditional retry climbs the usages seen above the failure") {
  ConditionalRetry ladder;
  for (Bytes v = 1; v <= 10; ++v) ladder.add(v * GB, 3600);
  CHECK_FALSE(ladder.next(10 * GB, 0).has_value());
  auto n = ladder.next(5 * GB, 0);
  REQUIRE(n.has_value());
  CHECK(*n > 5 * GB);
  CHECK(*n <= 10 * GB);
  // An expensive failure makes the ladder jump straight to the largest usage.
  CHECK(*ladder.next(5 * GB, 1000.0) == 10 * GB);
  // One outlier far above a tight cluster: after failing below the cluster, stop at its top.
  ConditionalRetry two;
  for (int i = 0; i < 20; ++i) two.add(2 * GB + i * 10'000'000, 3600);
  two.add(50 * GB, 3600);
  CHECK(*two.next(1 * GB, 0) == 2 * GB + 19 * 10'000'000);
}

TEST_CASE("wf's retry grows the allocation and is capped at the node") {
  AdaptiveOptions o;
  o.node_bytes = 10 * GB;
  AdaptiveSizer s(o);
  for (Bytes v : {1, 2, 3, 4}) s.observe(task(0, v * GB));
  Bytes within = s.retry(0, 1 * GB, std::nullopt, 1);
  CHECK(within > 1 * GB);
  CHECK(within <= 4 * GB);
  Bytes beyond = s.retry(0, 4 * GB, std::nullopt, 1);  // beyond what was seen: the learned growth
  CHECK(beyond >= 5 * GB);                             // at least × 1.25
  CHECK(beyond <= 8 * GB);                             // at most × 2
  CHECK(s.retry(0, 4 * GB, 6 * GB, 1) > 6 * GB);       // grows from what was measured before the kill
  CHECK(s.retry(0, 9 * GB, std::nullopt, 2) == 10 * GB);
  CHECK(s.retry(0, 10 * GB, std::nullopt, 3) == 10 * GB);  // nothing larger exists
  for (double x : {0.0, 1e9, 1e12}) CHECK(s.first(x) <= 6 * GB);  // capped at max seen × 1.5
}

TEST_CASE("wf's sizer never looks at the task it sizes, nor at later ones") {
  // Usage independent of the (constant) input: an oracle reading the usage would waste nothing.
  Rng rng{7};
  std::vector<MemorySample> history, stream;
  for (int i = 0; i < 20; ++i) history.push_back(task(1e9, static_cast<Bytes>(1e9 * (1 + rng.uniform())), 600));
  for (int i = 0; i < 60; ++i) stream.push_back(task(1e9, static_cast<Bytes>(1e9 * (1 + rng.uniform())), 600));

  AdaptiveSizer a, b;
  auto changed = stream;
  const size_t k = 30;
  changed[k].usage_bytes = 5 * GB;  // the usage of task k changes; nothing before it may notice
  auto first_a = first_allocations(a, history, stream);
  auto first_b = first_allocations(b, history, changed);
  for (size_t i = 0; i <= k; ++i) CHECK(first_a[i] == first_b[i]);
  bool learned = false;  // ...and the change is learned once the task has finished
  for (size_t i = k + 1; i < stream.size(); ++i) learned = learned || first_a[i] != first_b[i];
  CHECK(learned);

  AdaptiveSizer c;
  auto cost = replay(c, history, stream);
  CHECK(cost.wastage_gbh() > 0.01 * cost.usage_gbh);  // it cannot know each usage in advance
}

TEST_CASE("wf's sizer finds the input-size relation that max-seen cannot use") {
  auto all = linear_stream(42, 200);
  std::vector<MemorySample> history(all.begin(), all.begin() + 60), stream(all.begin() + 60, all.end());
  AdaptiveSizer wf_sizer;
  MaxSeenSizer max_seen;
  auto ours = replay(wf_sizer, history, stream);
  auto theirs = replay(max_seen, history, stream);
  CHECK(ours.wastage_gbh() < 0.5 * theirs.wastage_gbh());
  CHECK(ours.maq() > 0.8);
  auto c = wf_sizer.choice();
  CHECK((c.estimate == "log-linear" || c.estimate == "linear" || c.estimate == "nearest-max"));
}

TEST_CASE("the same seed gives the same result, to the bit") {
  auto run = [](uint64_t seed) {
    auto all = linear_stream(seed, 150);
    std::vector<MemorySample> history(all.begin(), all.begin() + 45), stream(all.begin() + 45, all.end());
    AdaptiveSizer s;
    return replay(s, history, stream);
  };
  auto a = run(3), b = run(3), c = run(4);
  CHECK(a.wastage_gbh() == b.wastage_gbh());
  CHECK(a.failures == b.failures);
  CHECK(a.wastage_gbh() != c.wastage_gbh());
}

TEST_CASE("a sizer whose retry does not grow is reported, not looped on") {
  struct Stuck final : MemorySizer {
    std::string name() const override { return "stuck"; }
    Bytes first(double) const override { return 1; }
    Bytes retry(double, Bytes failed, std::optional<Bytes>, int) const override { return failed; }
    void observe(const MemorySample&) override {}
  } stuck;
  CHECK_THROWS_AS(attempts(stuck, task(0, 2 * GB)), wf::Error);
  AdaptiveSizer s;
  CHECK_THROWS_AS(s.observe(task(0, 0)), wf::Error);
}
