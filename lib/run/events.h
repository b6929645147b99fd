#pragma once
// The event stream (--events FILE): one JSON object per line, flushed as it happens, so another
// program can follow a run live (tail -f | jq). Every event has "event", "t" (epoch seconds) and
// "elapsed_s"; the rest depends on the event (man wf-run(1), EVENTS).
#include <functional>
#include <string>
#include <string_view>

#include "io/json.h"
#include "util/clock.h"

namespace wf::run {

class Events {
 public:
  Events() = default;  // discards everything
  // Opens `path` for appending (created 0600: events name tasks and their commands). Throws wf::Error 73 when it cannot.
  Events(const std::string& path, util::Clock& clock, double start_mono);
  ~Events();
  Events(const Events&) = delete;
  Events& operator=(const Events&) = delete;

  bool enabled() const { return fd_ >= 0 || listener_ != nullptr; }
  // `fill` adds the event's own members to the object.
  void emit(std::string_view event, const std::function<void(io::Json&, io::Alloc&)>& fill);
  // Also hands every event line to `listener` (in-run feedback and alerts subscribe here).
  void set_listener(std::function<void(const std::string&)> listener) { listener_ = std::move(listener); }

 private:
  int fd_ = -1;
  util::Clock* clock_ = nullptr;
  double start_mono_ = 0;
  std::function<void(const std::string&)> listener_;
};

}  // namespace wf::run
