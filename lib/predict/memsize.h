#pragma once
// Online memory sizing for the tasks of one category: how much memory to give the next task, from the
// executions of that category seen so far, and how much to give it again when an attempt is killed
// for lack of memory. Every method (the baselines of the literature and wf's own) is a MemorySizer, so
// they are interchangeable in wf-run / wf-predict and in the replay that scores them
// (predict/memsize_replay.h).
//
// Contract shared by every sizer: first() and retry() are pure functions of what train() and
// observe() were given — a sizer never sees the usage of the task it is sizing.
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>

namespace wf::predict {

using Bytes = std::int64_t;

// Decimal gigabytes: the unit of the accounting (GB·h), as in the literature.
inline constexpr double kBytesPerGB = 1e9;
// One whole node of the reference cluster (128 GB): the Tovar baseline's last resort, and the
// ceiling of wf's retries.
inline constexpr Bytes kNodeBytes = 128'000'000'000;
// What every sizer allocates before it has seen any execution of the category (2 GiB).
inline constexpr Bytes kUnseenBytes = Bytes{2} << 30;

// One finished execution of a category.
struct MemorySample {
  double feature = 0;     // the input size (bytes read); >= 0
  Bytes usage_bytes = 0;  // the memory the task used at its peak; > 0
  double runtime_s = 0;   // its wall time; > 0
};

class MemorySizer {
 public:
  virtual ~MemorySizer() = default;

  // A short stable name for tables ("max-seen", "wf").
  virtual std::string name() const = 0;

  // Learns past executions in bulk, before any task is sized (a category's history). The default
  // observes them one by one; sizers that track their own prediction errors override it, since no
  // prediction was made for these.
  virtual void train(std::span<const MemorySample> history);

  // The first allocation for a task with input size `feature`; > 0.
  virtual Bytes first(double feature) const = 0;

  // The allocation of attempt `attempt` + 1 after attempt `attempt` (1 = the first allocation) was
  // killed holding `failed_bytes`. `measured_before_kill` is the peak the monitor saw before the
  // kill, when it saw one (it is at most about `failed_bytes`). The result is > `failed_bytes`
  // unless `failed_bytes` is already beyond what the method can ever give.
  virtual Bytes retry(double feature, Bytes failed_bytes, std::optional<Bytes> measured_before_kill,
                      int attempt) const = 0;

  // A task of the category finished (its allocation was decided before this call): learn from it.
  virtual void observe(const MemorySample& sample) = 0;
};

// The baselines, exactly as the literature's protocol defines them (see memsize_baselines.h).
std::unique_ptr<MemorySizer> make_max_seen_sizer();
std::unique_ptr<MemorySizer> make_percentile_sizer(double quantile = 0.95);
enum class OffsetMode { std_all, std_under };
std::unique_ptr<MemorySizer> make_linear_sizer(OffsetMode mode);
std::unique_ptr<MemorySizer> make_tovar_sizer();

// The quantile `q` in [0, 1] of sorted values with linear interpolation between closest ranks
// (numpy's default). Requires a non-empty ascending range.
double quantile_sorted(std::span<const double> ascending, double q);

}  // namespace wf::predict
