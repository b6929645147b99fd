#pragma once
// The workflow model: pure data, no I/O. Quantities are in base units (bytes, seconds, cores).
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace wf::model {

// A named parameter value. `number` is set when the text is a number, so it can be a feature.
struct Param {
  std::string name;
  std::string text;
  std::optional<double> number;
};

// Resource hints a task declares (or a prediction assigns). Unset means "not declared".
struct Resources {
  std::optional<double> cpus;               // cores; fractions allowed ("500m" = 0.5)
  std::optional<uint64_t> mem_bytes;
  std::optional<uint64_t> disk_bytes;
  std::optional<double> net_bytes_per_s;
  std::optional<int> gpus;
  std::optional<double> duration_s;         // expected runtime
  bool empty() const { return !cpus && !mem_bytes && !disk_bytes && !net_bytes_per_s && !gpus && !duration_s; }
};

struct File {
  std::string path;
  std::optional<uint64_t> size_bytes;
};

// What one recorded execution of the task measured (a WfFormat instance, an import). This is
// ground truth for benchmarks and becomes history; it never drives the run itself.
struct Recorded {
  std::optional<double> runtime_s;
  std::optional<double> cores;          // cores allotted
  std::optional<double> cpu_percent;    // average CPU use, percent of one core
  std::optional<uint64_t> mem_bytes;    // peak memory
  std::optional<uint64_t> read_bytes;
  std::optional<uint64_t> write_bytes;
  std::optional<std::string> machine;
  bool empty() const {
    return !runtime_s && !cores && !cpu_percent && !mem_bytes && !read_bytes && !write_bytes && !machine;
  }
};

// A command: a shell string run by /bin/sh -c, or an argv executed directly. Either may hold
// {{param}} placeholders; they are substituted by render_command (shell-quoted in a shell string).
struct Command {
  bool shell = true;
  std::string script;              // when shell
  std::vector<std::string> argv;   // when !shell
};

struct Task {
  std::string id;
  Command run;
  std::vector<std::string> needs;
  std::string category;            // the history key; defaults to the id
  std::vector<Param> params;       // sorted by name
  std::vector<File> inputs;
  std::vector<File> outputs;
  Resources hints;
  int priority = 0;
  int retries = 0;
  std::optional<double> timeout_s;
  Recorded recorded;

  // Sum of known input sizes: the first feature of every model.
  std::optional<uint64_t> input_bytes() const;
};

struct Workflow {
  std::string name;
  std::vector<Param> params;       // sorted by name
  int priority = 0;
  std::vector<Task> tasks;         // in the input's order
  std::string source_format;       // "native" or "wfformat"
  std::optional<double> recorded_makespan_s;

  const Param* param(std::string_view name) const;
};

// Looks a parameter up in the task, then the workflow.
const Param* find_param(const Workflow& wf, const Task& task, std::string_view name);

}  // namespace wf::model
