#pragma once
// Shared by the provider and reap unit tests: a private temporary directory, direct SQLite access,
// and a fake provider that keeps its resources in memory and fails when told to.
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <stdexcept>
#include <string>

#include <sqlite3.h>

#include "provider/provider.h"

namespace wf::provider::testing {

class TempDir {
 public:
  TempDir() {
    std::string pattern = (std::filesystem::temp_directory_path() / "wf-provider-test-XXXXXX").string();
    if (!mkdtemp(pattern.data())) throw std::runtime_error("mkdtemp failed");
    path_ = pattern;
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  std::string file(const std::string& name) const { return (path_ / name).string(); }
  std::string write(const std::string& name, const std::string& text) const {
    std::ofstream(file(name), std::ios::binary) << text;
    return file(name);
  }
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

class RawDb {
 public:
  explicit RawDb(const std::string& path) {
    if (sqlite3_open(path.c_str(), &db_) != SQLITE_OK) throw std::runtime_error(sqlite3_errmsg(db_));
  }
  ~RawDb() { sqlite3_close(db_); }
  RawDb(const RawDb&) = delete;
  RawDb& operator=(const RawDb&) = delete;

  void exec(const std::string& sql) {
    if (sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, nullptr) != SQLITE_OK)
      throw std::runtime_error(sqlite3_errmsg(db_));
  }
  long long integer(const std::string& sql) {
    sqlite3_stmt* q = nullptr;
    if (sqlite3_prepare_v2(db_, sql.c_str(), -1, &q, nullptr) != SQLITE_OK) throw std::runtime_error(sqlite3_errmsg(db_));
    long long v = sqlite3_step(q) == SQLITE_ROW ? sqlite3_column_int64(q, 0) : -1;
    sqlite3_finalize(q);
    return v;
  }
  std::string text(const std::string& sql) {
    sqlite3_stmt* q = nullptr;
    if (sqlite3_prepare_v2(db_, sql.c_str(), -1, &q, nullptr) != SQLITE_OK) throw std::runtime_error(sqlite3_errmsg(db_));
    std::string v;
    if (sqlite3_step(q) == SQLITE_ROW && sqlite3_column_text(q, 0))
      v = reinterpret_cast<const char*>(sqlite3_column_text(q, 0));
    sqlite3_finalize(q);
    return v;
  }

 private:
  sqlite3* db_ = nullptr;
};

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
