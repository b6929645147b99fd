#pragma once
// Shared by the provider and reap unit tests: a private temporary directory and direct SQLite
// access (the history tests' own: the ledger is an SQLite file like the store), and a fake
// provider that keeps its resources in memory and fails when told to.
#include <map>
#include <string>

#include "../history/sqlite_raw.h"
#include "../history/temp_dir.h"
#include "provider/provider.h"

namespace wf::provider::testing {

// The history tests' directory, named for the provider tests.
class TempDir : public history::testing::TempDir {
 public:
  TempDir() : history::testing::TempDir("wf-provider-test") {}
};

using history::testing::RawDb;

// Holds resources in a map keyed by its own ids ("fake-1", ...), each with the key it was created
// under, like a cloud that tags what it makes. Failures are armed per operation.
class FakeProvider final : public Provider {
 public:
  explicit FakeProvider(std::string name = "fake") : name_(std::move(name)) {}
  const std::string& name() const override { return name_; }

  ProviderResource create(const CreateRequest& r) override {
    ++creates;
    for (const auto& [id, held] : held_)
      if (held.idempotency_key == r.idempotency_key) return held;  // idempotent on the key
    if (fail_create_at == creates && !create_then_fail)
      throw ProviderError(fail_kind, "boom", "fake: create failed", nothing_created);
    std::string id = "fake-" + std::to_string(++next_);
    held_[id] = {id, r.kind, r.idempotency_key, R"({"fake":true})"};
    if (fail_create_at == creates)  // it exists, but the caller never learns its id
      throw ProviderError(ProviderError::Kind::protocol, "crashed", "fake: crashed after creating");
    return held_[id];
  }
  std::optional<ProviderResource> describe(std::string_view id) override {
    auto it = held_.find(std::string(id));
    if (it == held_.end()) return std::nullopt;
    return it->second;
  }
  ProviderResource resize(std::string_view id, std::string_view spec, std::string_view) override {
    auto& r = held_.at(std::string(id));
    r.resource_json = std::string(spec);
    return r;
  }
  Removed remove(std::string_view id, std::string_view) override {
    ++removes;
    if (fail_remove) throw ProviderError(fail_kind, "boom", "fake: delete failed");
    return held_.erase(std::string(id)) ? Removed::deleted : Removed::already_gone;
  }
  std::vector<ProviderResource> list() override {
    ++lists;
    if (fail_list) throw ProviderError(fail_kind, "boom", "fake: list failed");
    std::vector<ProviderResource> out;
    for (const auto& [id, r] : held_) out.push_back(r);
    return out;
  }

  // Something the provider holds that no ledger asked for (as a cloud console user might make).
  void hold(const std::string& id, const std::string& key) { held_[id] = {id, "vm", key, "{}"}; }
  size_t size() const { return held_.size(); }
  bool holds_key(const std::string& key) const {
    for (const auto& [id, r] : held_)
      if (r.idempotency_key == key) return true;
    return false;
  }

  int creates = 0, removes = 0, lists = 0;
  int fail_create_at = 0;         // the n-th create fails (1-based); 0: none
  bool create_then_fail = false;  // ... after making the resource
  bool nothing_created = false;
  bool fail_remove = false;
  bool fail_list = false;
  ProviderError::Kind fail_kind = ProviderError::Kind::permanent;

 private:
  std::string name_;
  std::map<std::string, ProviderResource> held_;
  int next_ = 0;
};

}  // namespace wf::provider::testing
