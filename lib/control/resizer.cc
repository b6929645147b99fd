#include "control/resizer.h"

#include <pthread.h>

#include <chrono>
#include <cmath>
#include <csignal>

#include <rapidjson/document.h>

#include "io/json.h"
#include "provider/paths.h"
#include "provider/provision.h"
#include "provider/registry.h"
#include "util/error.h"

namespace wf::control {

ThreadedResizer::ThreadedResizer(ResizeCall call, std::string what) : call_(std::move(call)), what_(std::move(what)) {
  sigset_t set, old;
  sigemptyset(&set);
  for (int sig : {SIGINT, SIGTERM, SIGHUP, SIGCHLD}) sigaddset(&set, sig);
  pthread_sigmask(SIG_BLOCK, &set, &old);
  thread_ = std::thread([this] { loop(); });
  pthread_sigmask(SIG_SETMASK, &old, nullptr);
}

ThreadedResizer::~ThreadedResizer() {
  {
    std::lock_guard lock(mutex_);
    stop_ = true;
  }
  cv_.notify_all();
  thread_.join();
}

void ThreadedResizer::request(const schedule::Capacity& want) {
  {
    std::lock_guard lock(mutex_);
    if (busy_) fail(util::Exit::software, "resizer: a request is already in flight");
    asked_ = want;
    busy_ = true;
  }
  cv_.notify_all();
}

std::optional<Grant> ThreadedResizer::poll() {
  std::lock_guard lock(mutex_);
  std::optional<Grant> out;
  out.swap(answer_);
  return out;
}

void ThreadedResizer::wait() {
  std::unique_lock lock(mutex_);
  cv_.wait(lock, [this] { return !busy_; });
}

void ThreadedResizer::loop() {
  std::unique_lock lock(mutex_);
  while (true) {
    cv_.wait(lock, [this] { return stop_ || asked_.has_value(); });
    if (!asked_) return;  // stopping, nothing asked
    schedule::Capacity want = *asked_;
    asked_.reset();
    lock.unlock();
    Grant g;
    g.asked = want;
    auto t0 = std::chrono::steady_clock::now();
    try {
      g.granted = call_(want);
      g.ok = true;
    } catch (const std::exception& e) {
      g.error = e.what();
    }
    g.took_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    lock.lock();
    answer_ = std::move(g);
    busy_ = false;
    cv_.notify_all();
  }
}

namespace {

// The resource's spec with the new size: the provider's own keys kept, cpus and memory replaced.
std::string resized_spec(const std::string& spec_json, const schedule::Capacity& want) {
  rapidjson::Document spec;
  spec.Parse(spec_json.c_str(), spec_json.size());
  if (spec.HasParseError() || !spec.IsObject()) spec.SetObject();
  auto& a = spec.GetAllocator();
  io::put(spec, "cpus", std::ceil(want.cpus * 100 - 1e-9) / 100, a);
  io::put(spec, "mem_bytes", static_cast<uint64_t>(std::ceil(want.mem_bytes)), a);
  std::string text = io::to_json(spec, false);
  if (!text.empty() && text.back() == '\n') text.pop_back();
  return text;
}

schedule::Capacity reported(const std::string& detail_json, const schedule::Capacity& asked) {
  rapidjson::Document d;
  d.Parse(detail_json.c_str(), detail_json.size());
  schedule::Capacity c = asked;
  if (d.HasParseError() || !d.IsObject()) return c;
  if (auto v = io::get_number(d, "cpus")) c.cpus = *v;
  if (auto v = io::get_number(d, "mem_bytes")) c.mem_bytes = *v;
  return c;
}

struct ProvisionResize {
  std::string ledger_path, id;
  std::shared_ptr<provider::Ledger> ledger;
  std::shared_ptr<provider::Providers> providers;

  schedule::Capacity operator()(const schedule::Capacity& want) {
    if (!ledger) {
      ledger = std::make_shared<provider::Ledger>(provider::Ledger::open(ledger_path));
      provider::ProviderConfig config;
      config.pool.scratch_root = provider::resolve_scratch_root(std::nullopt, ledger_path);
      providers = std::make_shared<provider::Providers>(*ledger, config);
    }
    auto row = ledger->get(id);
    if (!row) fail(util::Exit::no_input, "{}: no resource {} in the ledger", ledger_path, id);
    std::string spec = resized_spec(row->spec_json, want);
    provider::Resource now = provider::resize_resource(*ledger, providers->get(row->provider), id, spec);
    return reported(now.detail_json, want);
  }
};

}  // namespace

ResizeCall provision_resize(std::string ledger_path, std::string id) {
  return ProvisionResize{std::move(ledger_path), std::move(id), nullptr, nullptr};
}

}  // namespace wf::control
