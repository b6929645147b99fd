#pragma once
// Synthetic history for the predictor's tests: executions whose truth is known, from a portable
// seeded generator (splitmix64 + Box–Muller), so every platform draws the same rows.
#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

#include "history/execution.h"

namespace wf::predict::testing {

struct Rng {
  uint64_t s;
  double uniform() {  // (0, 1)
    uint64_t z = (s += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return (static_cast<double>((z ^ (z >> 31)) >> 11) + 0.5) * 0x1.0p-53;
  }
  double normal() { return std::sqrt(-2 * std::log(uniform())) * std::cos(2 * M_PI * uniform()); }
};

inline history::Execution row(const std::string& category, int i, double runtime_s,
                              std::optional<double> input_bytes = std::nullopt) {
  history::Execution e;
  e.run_id = "r";
  e.workflow = "w";
  e.task_id = category + "_" + std::to_string(i);
  e.category = category;
  if (input_bytes) e.features.emplace_back("input_bytes", *input_bytes);
  e.runtime_s = runtime_s;
  e.executor = "test";
  return e;
}

// runtime = 2e-6 × input^0.8 × exp(sigma · N(0,1)), inputs log-uniform over 10 MB .. 10 GB.
inline std::vector<history::Execution> power_law(const std::string& category, uint64_t seed, size_t n,
                                                 double sigma) {
  Rng rng{seed};
  std::vector<history::Execution> out;
  for (size_t i = 0; i < n; ++i) {
    double input = 1e7 * std::pow(1e3, rng.uniform());
    double runtime = 2e-6 * std::pow(input, 0.8) * std::exp(sigma * rng.normal());
    out.push_back(row(category, static_cast<int>(i), runtime, input));
  }
  return out;
}

}  // namespace wf::predict::testing
