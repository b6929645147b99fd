#include "synthetic.h"

#include <algorithm>

namespace wf::control::testing {

void Synthetic::add(const std::string& id, const std::string& category, std::vector<std::string> needs, double runtime_s,
                    double cpus, double mem_bytes, double truth_factor) {
  model::Task t;
  t.id = id;
  t.category = category;
  t.needs = std::move(needs);
  t.run.script = "true";
  wf.tasks.push_back(t);
  schedule::TaskInfo ti;
  ti.demand = {cpus, mem_bytes};
  ti.expected_s = runtime_s;
  info.push_back(ti);
  predict::Estimate e;
  e.runtime_s = {runtime_s, runtime_s * 1.3, runtime_s * 1.5, runtime_s * 2};
  e.cpus = predict::Quantiles::point(cpus);
  e.mem_bytes = {mem_bytes * 0.8, mem_bytes * 0.9, mem_bytes, mem_bytes};
  estimates.push_back(e);
  true_runtime_s.push_back(runtime_s * truth_factor);
  true_rss_bytes.push_back(mem_bytes * 0.8 * truth_factor);
}

Synthetic stream(size_t n, double work_s, double factor) {
  Synthetic s;
  s.wf.name = "stream";
  for (size_t i = 0; i < n; ++i) {
    std::vector<std::string> needs;
    if (i > 0) needs.push_back("fetch" + std::to_string(i - 1));
    s.add("fetch" + std::to_string(i), "fetch", needs, 1, 0.1, 10e6, 1);
    s.add("work" + std::to_string(i), "work", {"fetch" + std::to_string(i)}, work_s, 1, 100e6, factor);
  }
  return s;
}

SyntheticRun drive(const Synthetic& s, const model::Dag& dag, schedule::Capacity capacity, run::Observer* observer,
                   util::FakeClock& clock, double step_s) {
  struct Live {
    uint32_t task;
    double start, end;
    schedule::Demand reserved;
  };
  schedule::Policy policy(dag, s.info, capacity);
  std::vector<Live> live;
  SyntheticRun out;
  double t0 = clock.monotonic();
  size_t done = 0;
  auto now = [&] { return clock.monotonic() - t0; };
  while (done < s.info.size()) {
    for (uint32_t t : policy.pick(now())) {
      live.push_back({t, now(), now() + s.true_runtime_s[t], policy.demand(t)});
      if (observer) observer->started(t, 1, policy.demand(t), now());
    }
    out.max_wait_ready = std::max(out.max_wait_ready, static_cast<double>(policy.ready()));
    clock.advance(step_s);
    out.cpu_s += policy.capacity().cpus * step_s;
    for (size_t i = 0; i < live.size();) {
      if (live[i].end > now() + 1e-9) {
        ++i;
        continue;
      }
      run::AttemptResult ar;
      ar.status = "succeeded";
      ar.runtime_s = now() - live[i].start;
      ar.peak_rss_bytes = static_cast<uint64_t>(s.true_rss_bytes[live[i].task]);
      ar.reserved = live[i].reserved;
      policy.finish(live[i].task, true, now());
      if (observer) observer->finished(live[i].task, 1, ar, false, now());
      live.erase(live.begin() + static_cast<long>(i));
      ++done;
    }
    if (!observer) continue;
    std::vector<run::LiveSample> samples;
    schedule::Demand held{0, 0};
    for (const auto& l : live) {
      run::LiveSample ls;
      ls.task = l.task;
      ls.elapsed_s = now() - l.start;
      ls.reserved = l.reserved;
      ls.peak_rss_bytes = static_cast<uint64_t>(s.true_rss_bytes[l.task]);
      samples.push_back(ls);
      held.cpus += l.reserved.cpus;
      held.mem_bytes += l.reserved.mem_bytes;
    }
    run::RunState state{now(), policy.capacity(), held, live.size(), policy.ready(), done, 0, s.info.size()};
    observer->sampled(state, samples);
    if (auto next = observer->capacity(state)) {
      policy.set_capacity(*next);
      out.capacity_changes.emplace_back(now(), *next);
    }
  }
  out.makespan_s = now();
  if (observer) observer->ended("succeeded", now());
  return out;
}

void FakeResizer::request(const schedule::Capacity& want) {
  requests.push_back(want);
  asked_ = want;
  pending_polls_ = answer_after_polls;
}

std::optional<Grant> FakeResizer::poll() {
  if (!asked_) return std::nullopt;
  if (pending_polls_-- > 0) return std::nullopt;
  Grant g;
  g.asked = *asked_;
  g.ok = !refuse;
  if (g.ok) g.granted = *asked_;
  else g.error = "local: no room in the pool (exit 75)";
  asked_.reset();
  return g;
}

}  // namespace wf::control::testing
