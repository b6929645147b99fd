#pragma once
// --alert-command CMD: runs CMD once per alert with the alert's JSON on its stdin (mail, a pager
// client, a chat CLI), from the sink's own thread (background.h): the run never waits for it.
//
// CMD is split into words the way a shell would quote them ('...', "...", backslash) but never
// goes through a shell: no expansion, no redirection, no injection from anything an alert holds.
// Who wants a shell says so: --alert-command 'sh -c "mail -s wf-alert ops@example.org"'.
//
// Each run has a timeout (then its process group is killed) and its output (stdout and stderr
// together) is kept only up to max_output_bytes, for the warning shown when it fails. The command
// is not a child that wf-run's reaper can see (see spawn.h), so the executor's wait never takes it.
#include <string>
#include <string_view>
#include <vector>

#include "alert/background.h"

namespace wf::alert {

// Shell-like word splitting without expansion. Throws wf::Error (usage, 64) on an unclosed quote
// or an empty command.
std::vector<std::string> split_words(std::string_view text);

struct CommandOptions {
  std::vector<std::string> argv;
  double timeout_s = 30;
  size_t max_output_bytes = 4096;
  size_t queue_capacity = 64;
};

class CommandSink : public BackgroundSink {
 public:
  explicit CommandSink(CommandOptions options);
  ~CommandSink() override;

  size_t ran() const { return ran_; }
  size_t failed() const { return failed_; }  // could not start, exited non-zero, or timed out

 private:
  void deliver(const std::string& json) override;

  CommandOptions options_;
  std::atomic<size_t> ran_{0}, failed_{0};
};

}  // namespace wf::alert
