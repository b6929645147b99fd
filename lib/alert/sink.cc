#include "alert/sink.h"

#include "util/log.h"

namespace wf::alert {

void StderrSink::send(const Alert& alert) { util::warn("alert: {}", describe(alert)); }

void EventsSink::send(const Alert& alert) {
  events_.emit("alert", [&](io::Json& o, io::Alloc& a) { fill_json(alert, o, a, false); });
}

}  // namespace wf::alert
