#include "provider/heartbeat.h"

#include <algorithm>

#include "provider/provider.h"

namespace wf::provider {

std::vector<std::string> provision_ids(const io::Json& provision) {
  std::vector<std::string> ids;
  const io::Json* list = io::get(provision, "resources");
  if (!list || !list->IsArray()) return ids;
  for (const auto& r : list->GetArray())
    if (auto id = io::get_string(r, "id")) ids.emplace_back(*id);
  return ids;
}

Heartbeat::Heartbeat(Ledger& ledger, LocalPool* pool, std::vector<std::string> ids)
    : ledger_(ledger), pool_(pool), ids_(std::move(ids)) {
  std::optional<double> shortest;
  for (const auto& id : ids_) {
    auto row = ledger_.get(id);
    if (!row) continue;
    if (row->provider == "local" && pool_) local_.push_back(id);
    if (row->ttl_s) shortest = std::min(shortest.value_or(*row->ttl_s), *row->ttl_s);
  }
  if (shortest) interval_s_ = std::max(1.0, *shortest / 3);
  next_due_ = ledger_.clock().monotonic() + interval_s_;
}

std::vector<std::string> Heartbeat::tick() {
  util::Clock& clock = ledger_.clock();
  if (clock.monotonic() < next_due_) return {};
  next_due_ = clock.monotonic() + interval_s_;
  std::vector<std::string> lost, problems;
  for (const auto& id : local_) {
    try {
      pool_->renew(id);
    } catch (const ProviderError& e) {
      lost.push_back(id);
      problems.push_back(e.what());
    } catch (const Error& e) {
      problems.push_back(e.what());  // the ledger stayed locked: try again next tick
    }
  }
  std::vector<std::string> others;
  for (const auto& id : ids_)
    if (std::find(local_.begin(), local_.end(), id) == local_.end()) others.push_back(id);
  try {
    if (!others.empty() && ledger_.heartbeat(others) < others.size())
      for (const auto& id : others)
        if (auto row = ledger_.get(id); !row || row->state == State::released || row->state == State::releasing) {
          lost.push_back(id);
          problems.push_back(fmt::format("{}: released while the run holds it", id));
        }
  } catch (const Error& e) {
    problems.push_back(e.what());
  }
  for (const auto& id : lost) {
    ids_.erase(std::remove(ids_.begin(), ids_.end(), id), ids_.end());
    local_.erase(std::remove(local_.begin(), local_.end(), id), local_.end());
  }
  return problems;
}

}  // namespace wf::provider
