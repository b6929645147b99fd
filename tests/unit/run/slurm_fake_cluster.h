#pragma once
// A scripted Slurm cluster behind the SlurmClient seam, for the Slurm executor's tests. It answers
// sbatch, squeue, sacct, scancel and scontrol in their real output formats, and moves one step on
// every squeue: running jobs count down their steps and end as scripted, pending jobs whose
// afterok parents completed start, and pending jobs with a failed parent are cancelled (as
// kill_invalid_depend does). No time passes and nothing sleeps.
#include <algorithm>
#include <map>
#include <set>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "run/slurm_client.h"
#include "run/slurm_wait.h"
#include "util/clock.h"
#include "util/strings.h"

namespace wf::run::testing {

// How a task's jobs behave, run after run (the last entry repeats).
struct FakeTask {
  int steps = 1;                                  // squeue polls a job runs for
  std::vector<std::string> ends = {"COMPLETED"};  // COMPLETED, FAILED, OOM, TIMEOUT
  int64_t rss_kib = 10240;                        // MaxRSS (an OOM run reports 120% of its --mem)
};

struct FakeJob {
  std::string id, name, task;
  std::vector<std::string> after;
  int cpus = 1;
  long long mem_mib = 0;
  int time_min = 0;
  int begin_in_s = 0;
  std::string partition, reservation, script;
  std::string state = "PENDING";
  bool started = false;
  int steps_left = 0;
  std::string exit = "0:0";
  int64_t rss_kib = 0;
};

class FakeCluster final : public SlurmClient {
 public:
  std::map<std::string, FakeTask> tasks;
  std::vector<FakeJob> jobs;
  std::vector<std::vector<std::string>> calls;
  bool accounting = true;
  std::string nodes_text =
      "NodeName=n1 CPUTot=4 RealMemory=4096 State=IDLE Partitions=main\n"
      "NodeName=n2 CPUTot=4 RealMemory=4096 State=IDLE Partitions=main\n";
  std::vector<std::string> powered_up;

  SlurmCall call(const std::vector<std::string>& argv) override {
    calls.push_back(argv);
    const std::string& p = argv[0];
    if (p == "sbatch") return sbatch(argv);
    if (p == "squeue") return squeue(argv);
    if (p == "sacct") return sacct(argv);
    if (p == "scancel") {
      for (size_t i = 1; i < argv.size(); ++i)
        if (FakeJob* j = find(argv[i]); j && !final(*j)) j->state = "CANCELLED";
      return {};
    }
    if (p == "scontrol") return scontrol(argv);
    return {127, "", p + ": not faked"};
  }

  FakeJob* find(const std::string& id) {
    for (auto& j : jobs)
      if (j.id == id) return &j;
    return nullptr;
  }
  std::vector<const FakeJob*> jobs_of(const std::string& task) const {
    std::vector<const FakeJob*> out;
    for (const auto& j : jobs)
      if (j.task == task) out.push_back(&j);
    return out;
  }
  size_t count(const std::string& program) const {
    return static_cast<size_t>(std::count_if(calls.begin(), calls.end(), [&](const auto& c) { return c[0] == program; }));
  }
  // Adds a job as an earlier invocation of wf-run would have left it.
  FakeJob& add_job(const std::string& id, const std::string& task, const std::string& state) {
    FakeJob j;
    j.id = id;
    j.task = task;
    j.name = "wf.r." + task;
    j.state = state;
    j.started = state != "PENDING";
    j.steps_left = tasks[task].steps;
    j.rss_kib = tasks[task].rss_kib;
    jobs.push_back(j);
    return jobs.back();
  }

 private:
  int next_id_ = 100;
  std::map<std::string, int> runs_;

  static bool final(const FakeJob& j) { return j.state != "PENDING" && j.state != "RUNNING"; }

  static std::string value(const std::string& arg, const std::string& flag) {
    return arg.rfind(flag, 0) == 0 ? arg.substr(flag.size()) : std::string();
  }

  SlurmCall sbatch(const std::vector<std::string>& argv) {
    FakeJob j;
    j.id = std::to_string(next_id_++);
    for (const auto& a : argv) {
      if (auto v = value(a, "--job-name="); !v.empty()) j.name = v;
      if (auto v = value(a, "--cpus-per-task="); !v.empty()) j.cpus = std::stoi(v);
      if (auto v = value(a, "--mem="); !v.empty()) j.mem_mib = std::stoll(v);
      if (auto v = value(a, "--time="); !v.empty()) j.time_min = std::stoi(v);
      if (auto v = value(a, "--begin=now+"); !v.empty()) j.begin_in_s = std::stoi(v);
      if (auto v = value(a, "--partition="); !v.empty()) j.partition = v;
      if (auto v = value(a, "--reservation="); !v.empty()) j.reservation = v;
      if (auto v = value(a, "--dependency=afterok:"); !v.empty()) j.after = util::split(v, ':');
    }
    j.script = argv.back();
    j.task = j.name.substr(j.name.find('.', 3) + 1);
    jobs.push_back(j);
    return {0, j.id + "\n", ""};
  }

  void step() {
    for (auto& j : jobs) {
      if (j.state != "RUNNING" || --j.steps_left > 0) continue;
      const FakeTask& t = tasks[j.task];
      int run = runs_[j.task]++;
      std::string end = t.ends[std::min<size_t>(static_cast<size_t>(run), t.ends.size() - 1)];
      j.rss_kib = t.rss_kib;
      if (end == "OOM") {
        j.state = "FAILED", j.exit = "0:9", j.rss_kib = j.mem_mib * 1024 * 6 / 5;
      } else if (end == "FAILED") {
        j.state = "FAILED", j.exit = "1:0";
      } else {
        j.state = end;
      }
    }
    std::vector<FakeJob*> starting;
    for (auto& j : jobs) {
      if (j.state != "PENDING") continue;
      bool ready = true, broken = false;
      for (const auto& d : j.after) {
        const FakeJob* p = find(d);
        ready = ready && p && p->state == "COMPLETED";
        broken = broken || !p || (final(*p) && p->state != "COMPLETED");
      }
      if (broken) j.state = "CANCELLED";
      else if (ready) starting.push_back(&j);
    }
    for (FakeJob* j : starting) {
      j->state = "RUNNING", j->started = true, j->steps_left = tasks[j->task].steps;
    }
  }

  std::vector<std::string> listed(const std::vector<std::string>& argv, const std::string& flag) {
    for (size_t i = 0; i < argv.size(); ++i) {
      if (auto v = value(argv[i], flag + "="); !v.empty()) return util::split(v, ',');
      if (argv[i] == flag && i + 1 < argv.size()) return util::split(argv[i + 1], ',');
    }
    return {};
  }

  SlurmCall squeue(const std::vector<std::string>& argv) {
    step();
    std::string out;
    for (const auto& id : listed(argv, "--jobs"))
      if (const FakeJob* j = find(id)) out += fmt::format("{}|{}|{}|{}\n", j->id, j->state, "None", j->started ? "n1" : "");
    if (out.empty()) return {1, "", "slurm_load_jobs error: Invalid job id specified\n"};
    return {0, out, ""};
  }

  SlurmCall sacct(const std::vector<std::string>& argv) {
    if (!accounting) return {1, "", "sacct: error: Slurm accounting storage is disabled\n"};
    std::string out = "JobID|JobName|State|ExitCode|Elapsed|TotalCPU|MaxRSS|ReqMem|AllocCPUS|Start|End|NodeList\n";
    for (const auto& id : listed(argv, "--jobs")) {
      const FakeJob* j = find(id);
      if (!j) continue;
      std::string start = j->started ? "2026-01-01T00:00:00" : "None";
      out += fmt::format("{}|{}|{}|{}|00:00:02|00:00:01.500||{}M|{}|{}|2026-01-01T00:00:02|{}\n", j->id, j->name, j->state,
                         j->exit, j->mem_mib, j->cpus, start, j->started ? "n1" : "None assigned");
      if (j->started)
        out += fmt::format("{}.batch|batch|{}|{}|00:00:02|00:00:01.500|{}K||{}|{}|2026-01-01T00:00:02|n1\n", j->id,
                           j->state == "FAILED" && j->exit == "0:9" ? "CANCELLED by 0" : j->state, j->exit, j->rss_kib,
                           j->cpus, start);
    }
    return {0, out, ""};
  }

  SlurmCall scontrol(const std::vector<std::string>& argv) {
    if (std::find(argv.begin(), argv.end(), "node") != argv.end()) return {0, nodes_text, ""};
    if (std::find(argv.begin(), argv.end(), "partition") != argv.end())
      return {0, "PartitionName=main Default=YES Nodes=n[1-2]\n", ""};
    if (std::find(argv.begin(), argv.end(), "job") != argv.end()) {
      const FakeJob* j = find(argv.back());
      if (!j) return {1, "", "slurm_load_jobs error: Invalid job id specified\n"};
      return {0, fmt::format("JobId={} JobName={} JobState={} Reason=None ExitCode={} RunTime=00:00:02 StartTime={} "
                             "EndTime=2026-01-01T00:00:02 NodeList={}\n",
                             j->id, j->name, j->state, j->exit, j->started ? "2026-01-01T00:00:00" : "Unknown",
                             j->started ? "n1" : "(null)"),
              ""};
    }
    if (argv.size() > 2 && argv[1] == "update") {
      powered_up.push_back(argv[2].substr(argv[2].find('=') + 1));
      return {};
    }
    return {1, "", "scontrol: not faked"};
  }
};

// Waits that take no time: the fake clock moves by the timeout, and a stop signal arrives on the
// wait numbered `signal_at` (1-based), if set.
class FakeWaiter final : public StopWaiter {
 public:
  explicit FakeWaiter(util::FakeClock& clock) : clock_(clock) {}
  int signal_at = 0;
  int signal = 2;  // SIGINT
  int waits = 0;
  int wait(double timeout_s) override {
    ++waits;
    if (waits == signal_at) return signal;
    clock_.advance(timeout_s);
    return 0;
  }

 private:
  util::FakeClock& clock_;
};

}  // namespace wf::run::testing
