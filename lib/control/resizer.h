#pragma once
// The seam between the feedback controller and whatever holds the capacity. Provider calls are
// slow (a plugin, scontrol, a ledger lock), and the controller runs on the executor's thread, so
// a Resizer is asynchronous: request() returns at once, poll() hands back the answer when there
// is one. At most one request is in flight (the controller waits for its answer).
//
// ThreadedResizer runs a blocking call on a thread of its own; provision_resize() is that call
// for a resource wf-provision made (resize_resource: the provider resizes, the ledger records).
// Unit tests use a fake that answers when told.
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "schedule/policy.h"

namespace wf::control {

struct Grant {
  bool ok = false;
  schedule::Capacity asked, granted;  // granted: what the provider now holds (asked on success)
  std::string error;                  // when not ok
  double took_s = 0;                  // the call's wall time
};

class Resizer {
 public:
  virtual ~Resizer() = default;
  // What is resized, for messages and the summary ("local lease res-...").
  virtual std::string what() const = 0;
  virtual void request(const schedule::Capacity& want) = 0;
  virtual std::optional<Grant> poll() = 0;
  // Blocks until the request in flight (if any) is answered; the answer is left for poll().
  virtual void wait() = 0;
};

// A blocking resize: returns what is held afterwards, throws (any std::exception) on failure.
using ResizeCall = std::function<schedule::Capacity(const schedule::Capacity& want)>;

class ThreadedResizer final : public Resizer {
 public:
  // The thread is born with the stop signals and SIGCHLD blocked, so they reach wf-run's wait.
  ThreadedResizer(ResizeCall call, std::string what);
  ~ThreadedResizer() override;
  std::string what() const override { return what_; }
  void request(const schedule::Capacity& want) override;
  std::optional<Grant> poll() override;
  void wait() override;

 private:
  void loop();

  ResizeCall call_;
  std::string what_;
  std::mutex mutex_;
  std::condition_variable cv_;
  std::optional<schedule::Capacity> asked_;
  std::optional<Grant> answer_;
  bool busy_ = false, stop_ = false;
  std::thread thread_;
};

// Resizes ledger resource `id` (a local lease, a Slurm reservation, an exec plugin's resource):
// its recorded spec with "cpus" and "mem_bytes" replaced, through resize_resource(). The ledger
// is opened on first use, on the calling thread. The grant is what the provider reports holding
// (its "cpus"/"mem_bytes"), else what was asked.
ResizeCall provision_resize(std::string ledger_path, std::string id);

}  // namespace wf::control
