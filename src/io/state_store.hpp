#pragma once
// shopsync's durable state: one RocksDB database with a column family per kind of record.
// Every state transition is one atomic batch; with sync_writes the WAL is fsynced before
// write() returns, so "written" means "on disk". A synced write is written, then the WAL
// synced outside RocksDB's write group, so that unsynced writers never wait for its fsync.
#include "domain/result.hpp"

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace rocksdb {
class DB;
class WriteBatch;
class ColumnFamilyHandle;
} // namespace rocksdb

namespace shopsync {

enum class column : int {
  meta = 0, // schema version and daemon facts
  mapping,  // catalog mapping and its indexes
  levels,   // inventory item state machines
  outbox,   // intents persisted and not yet confirmed
  orders,   // order state machines and draft pairings
  inbox,    // accepted webhooks not yet applied (and applied ones within retention)
  dedup,    // webhook ids seen, with their time
  audit,    // decisions, appended in time order
};
inline constexpr int column_count = 8;
const char* column_name(column);

class state_store {
public:
  static constexpr int schema_version = 1;

  struct options {
    std::string path;
    bool sync_writes = true;
    bool create_if_missing = true;
  };

  // Atomic group of puts and deletes across column families, applied by write().
  class batch {
  public:
    void put(column c, std::string_view key, std::string_view value) {
      ops_.push_back({c, std::string(key), std::string(value), false});
    }
    void del(column c, std::string_view key) { ops_.push_back({c, std::string(key), {}, true}); }
    std::size_t count() const noexcept { return ops_.size(); }
    // Visits (column, key, is_delete) of every op, in order.
    template <class F>
    void for_each(F&& f) const {
      for (const auto& o : ops_)
        f(o.col, std::string_view(o.key), o.erase);
    }
    bool empty() const noexcept { return ops_.empty(); }
    void clear() noexcept { ops_.clear(); }

  private:
    friend class state_store;
    struct op {
      column col;
      std::string key, value;
      bool erase;
    };
    std::vector<op> ops_;
  };

  // Opens (or creates) the database, creates missing column families, and checks the
  // schema version in meta: a newer version than this build knows is refused.
  static result<std::unique_ptr<state_store>> open(const options& opts);
  ~state_store();

  // sync = false skips this write's fsync even under sync_writes: the record reaches the OS
  // (it survives a crash of the process) and becomes durable with the next synced write,
  // because every column family shares one WAL, written in order.
  status write(batch& b, bool sync = true);
  status put(column c, std::string_view key, std::string_view value);
  result<std::optional<std::string>> get(column c, std::string_view key) const;
  // Visits keys starting with prefix in key order until fn returns false.
  status scan(column c, std::string_view prefix,
              const std::function<bool(std::string_view key, std::string_view value)>& fn) const;
  // The same from the first key >= from (a key with that prefix): a long scan done in chunks.
  status scan(column c, std::string_view prefix, std::string_view from,
              const std::function<bool(std::string_view key, std::string_view value)>& fn) const;
  // Online backup (RocksDB Checkpoint) into a directory that must not exist yet.
  status checkpoint(const std::string& dir) const;
  // Flushes memtables; used at orderly shutdown.
  status flush();

  const std::string& path() const noexcept { return path_; }

  // Test hook: make every write fail as a full or read-only disk would.
  void fail_writes_for_testing(bool on) noexcept { fail_writes_ = on; }
  // Test hook: called on the writing thread with each batch before it is written; a test may
  // block in it to hold a write back (a slow disk). Set it before any write it must see, and
  // reset it only once nothing writes any more.
  void set_write_hook_for_testing(std::function<void(const batch&)> hook) { write_hook_ = std::move(hook); }

private:
  state_store() = default;
  rocksdb::ColumnFamilyHandle* handle(column c) const;
  void try_resume();

  // After a failed write (a full disk puts RocksDB in read-only mode until DB::Resume()), the
  // next writes first try to resume, at most once per resume_interval: writes fail (webhooks
  // get 503) while the disk is full and succeed again once space is back, without a restart.
  static constexpr std::chrono::milliseconds resume_interval{500};
  std::atomic<bool> needs_resume_{false};
  std::mutex resume_mu_;
  std::chrono::steady_clock::time_point next_resume_{};

  std::string path_;
  bool sync_writes_ = true;
  bool fail_writes_ = false;
  std::function<void(const batch&)> write_hook_;
  std::unique_ptr<rocksdb::DB> db_;
  std::vector<rocksdb::ColumnFamilyHandle*> handles_;
};

} // namespace shopsync
