// The threaded resizer: requests run off the caller's thread, answers come back through poll().
#include <catch2/catch.hpp>

#include <atomic>
#include <chrono>
#include <thread>

#include "control/resizer.h"
#include "util/error.h"

using namespace wf;
using namespace wf::control;

TEST_CASE("threaded resizer: the call runs on its own thread; wait() then poll() gives the answer") {
  std::atomic<bool> same_thread{true};
  auto caller = std::this_thread::get_id();
  ThreadedResizer r([&](const schedule::Capacity& want) {
    same_thread = std::this_thread::get_id() == caller;
    return schedule::Capacity{want.cpus, want.mem_bytes / 2};
  }, "test");
  CHECK(r.what() == "test");
  CHECK(!r.poll());
  r.request({3, 100});
  r.wait();
  auto g = r.poll();
  REQUIRE(g);
  CHECK(g->ok);
  CHECK(g->granted.cpus == 3);
  CHECK(g->granted.mem_bytes == 50);
  CHECK(g->asked.mem_bytes == 100);
  CHECK(!same_thread);
  CHECK(!r.poll());
}

TEST_CASE("threaded resizer: a failing call is an answer that says why; a second request in flight is a bug") {
  ThreadedResizer r([](const schedule::Capacity&) -> schedule::Capacity {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    throw std::runtime_error("no room");
  }, "test");
  r.request({1, 1});
  CHECK_THROWS_AS(r.request({2, 2}), Error);
  r.wait();
  auto g = r.poll();
  REQUIRE(g);
  CHECK(!g->ok);
  CHECK(g->error == "no room");
}
