#include "alert/background.h"

#include <chrono>
#include <csignal>

#include <pthread.h>

#include "util/log.h"
#include "util/strings.h"

namespace wf::alert {

BackgroundSink::BackgroundSink(std::string what, size_t capacity) : what_(std::move(what)), capacity_(capacity) {}

BackgroundSink::~BackgroundSink() { finish(0); }

void BackgroundSink::start() {
  sigset_t set, old;
  sigemptyset(&set);
  for (int sig : {SIGINT, SIGTERM, SIGHUP, SIGCHLD}) sigaddset(&set, sig);
  pthread_sigmask(SIG_BLOCK, &set, &old);
  thread_ = std::thread([this] { loop(); });
  pthread_sigmask(SIG_SETMASK, &old, nullptr);
}

void BackgroundSink::send(const Alert& alert) {
  std::string json = to_json(alert);
  {
    std::lock_guard lock(mutex_);
    if (finished_) return;
    if (queue_.size() >= capacity_) {
      ++dropped_;
      util::warn("{}: {} alerts waiting already; alert for task '{}' dropped", what_, queue_.size(), alert.task);
      return;
    }
    queue_.push_back(std::move(json));
  }
  cv_.notify_all();
}

void BackgroundSink::loop() {
  std::unique_lock lock(mutex_);
  for (;;) {
    cv_.wait(lock, [this] { return !queue_.empty() || stopping_; });
    if (queue_.empty() || abort_) break;
    std::string json = std::move(queue_.front());
    queue_.pop_front();
    in_flight_ = true;
    lock.unlock();
    try {
      deliver(json);
    } catch (const std::exception& e) {
      util::warn("{}: {}", what_, e.what());
    }
    lock.lock();
    in_flight_ = false;
    cv_.notify_all();
  }
}

bool BackgroundSink::pause(double seconds) {
  std::unique_lock lock(mutex_);
  return !cv_.wait_for(lock, std::chrono::duration<double>(seconds), [this] { return abort_.load(); });
}

void BackgroundSink::finish(double timeout_s) {
  size_t left = 0;
  {
    std::unique_lock lock(mutex_);
    if (finished_) return;
    finished_ = stopping_ = true;
    cv_.notify_all();
    bool done = thread_.joinable() ? cv_.wait_for(lock, std::chrono::duration<double>(std::max(0.0, timeout_s)),
                                                  [this] { return queue_.empty() && !in_flight_; })
                                   : true;
    if (!done) {
      left = queue_.size() + (in_flight_ ? 1 : 0);
      abandoned_ += left;
      queue_.clear();
      abort_ = true;
      cv_.notify_all();
    }
  }
  if (thread_.joinable()) thread_.join();
  if (left > 0)
    util::warn("{}: {} alert{} not delivered by the end of the run ({} s allowed)", what_, left, left == 1 ? "" : "s",
               util::format_number(timeout_s));
}

}  // namespace wf::alert
