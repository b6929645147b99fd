#include "provider/resource.h"

#include <algorithm>
#include <array>
#include <random>

#include <fmt/format.h>

namespace wf::provider {
namespace {

constexpr std::array<std::string_view, 7> kStates{"intent",   "creating", "active",  "releasing",
                                                  "released", "failed",   "orphaned"};

}  // namespace

std::string_view to_string(State state) { return kStates[static_cast<size_t>(state)]; }

std::optional<State> parse_state(std::string_view text) {
  for (size_t i = 0; i < kStates.size(); ++i)
    if (kStates[i] == text) return static_cast<State>(i);
  return std::nullopt;
}

bool is_known_kind(std::string_view kind) {
  return std::find(std::begin(kKinds), std::end(kKinds), kind) != std::end(kKinds);
}

std::string kind_list() {
  std::string out;
  for (std::string_view k : kKinds) {
    if (!out.empty()) out += ", ";
    out += k;
  }
  return out;
}

std::optional<double> Resource::expires_s() const {
  if (!ttl_s) return std::nullopt;
  return std::max(created_s, heartbeat_s.value_or(created_s)) + *ttl_s;
}

std::string new_resource_id() {
  static thread_local std::random_device device;
  std::uint64_t hi = device(), lo = device();
  return fmt::format("res-{:016x}", (hi << 32) ^ lo);
}

bool is_resource_id(std::string_view text) {
  if (text.size() != 20 || text.substr(0, 4) != "res-") return false;
  return std::all_of(text.begin() + 4, text.end(), [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); });
}

}  // namespace wf::provider
