#include "run/events.h"

#include <cerrno>
#include <cmath>
#include <cstring>

#include <fcntl.h>
#include <unistd.h>

#include "util/error.h"

namespace wf::run {

Events::Events(const std::string& path, util::Clock& clock, double start_mono) : clock_(&clock), start_mono_(start_mono) {
  fd_ = ::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
  if (fd_ < 0) fail(util::Exit::cant_create, "{}: cannot open the event stream: {}", path, std::strerror(errno));
}

Events::~Events() {
  if (fd_ >= 0) ::close(fd_);
}

void Events::emit(std::string_view event, const std::function<void(io::Json&, io::Alloc&)>& fill) {
  if (!enabled()) return;
  io::JsonDoc doc;
  doc.SetObject();
  auto& a = doc.GetAllocator();
  double wall = clock_ ? clock_->wall() : util::real_clock().wall();
  double mono = clock_ ? clock_->monotonic() : util::real_clock().monotonic();
  doc.AddMember("event", io::str(event, a), a);
  doc.AddMember("t", io::Json(wall), a);
  doc.AddMember("elapsed_s", io::Json(std::round((mono - start_mono_) * 1e6) / 1e6), a);
  fill(doc, a);
  std::string line = io::to_json(doc, false);
  if (fd_ >= 0 && ::write(fd_, line.data(), line.size()) != static_cast<ssize_t>(line.size()))
    fail(util::Exit::io, "event stream: write failed: {}", std::strerror(errno));
  if (listener_) listener_(line);
}

}  // namespace wf::run
