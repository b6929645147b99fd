#pragma once
// Exit codes, after sysexits(3). Every tool maps its outcome to one of these at the top only.
namespace wf::util {

enum class Exit : int {
  ok = 0,
  failed = 1,         // the work failed: a task failed, a check found problems
  usage = 64,         // bad flags or arguments
  data = 65,          // bad input data: schema, cycle, unknown dependency
  no_input = 66,      // input file missing or unreadable
  unavailable = 69,   // provider or service unavailable
  software = 70,      // internal bug
  cant_create = 73,   // cannot create an output file
  io = 74,            // I/O error
  temp = 75,          // temporary: lock held, pool full, rate limited
  no_perm = 77,       // permission denied
  config = 78,        // configuration error
  interrupted = 130,  // SIGINT / SIGTERM
};

constexpr int code(Exit e) { return static_cast<int>(e); }

}  // namespace wf::util
