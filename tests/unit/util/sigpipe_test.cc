// A write to a pipe nobody reads fails with EPIPE under the guard, instead of ending the process.
#include <unistd.h>

#include <cerrno>
#include <csignal>

#include <catch2/catch.hpp>

#include "util/sigpipe.h"

TEST_CASE("sigpipe guard: a write to a closed pipe returns EPIPE and leaves nothing pending") {
  int fds[2];
  REQUIRE(::pipe(fds) == 0);
  ::close(fds[0]);
  ssize_t n = 0;
  int err = 0;
  {
    wf::util::SigpipeGuard guard;
    n = ::write(fds[1], "x", 1);
    err = errno;
  }
  ::close(fds[1]);
  CHECK(n == -1);
  CHECK(err == EPIPE);
  sigset_t pending;
  sigpending(&pending);
  CHECK_FALSE(sigismember(&pending, SIGPIPE));
  sigset_t mask;
  pthread_sigmask(SIG_SETMASK, nullptr, &mask);
  CHECK_FALSE(sigismember(&mask, SIGPIPE));  // the thread's mask is as it was
}
