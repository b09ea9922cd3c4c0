#include "io/state_store.hpp"

#include <rocksdb/db.h>
#include <rocksdb/filter_policy.h>
#include <rocksdb/listener.h>
#include <rocksdb/options.h>
#include <rocksdb/table.h>
#include <rocksdb/utilities/checkpoint.h>
#include <rocksdb/write_batch.h>

#include <spdlog/spdlog.h>

#include <algorithm>
#include <cstdarg>
#include <cstdio>
#include <filesystem>

namespace shopsync {

namespace {
constexpr const char* names[column_count] = {"meta",   "mapping", "levels", "outbox",
                                              "orders", "inbox",   "dedup",  "audit"};
constexpr std::string_view schema_key = "schema_version";

// RocksDB's own log goes through spdlog instead of a LOG file in the data directory: on a full
// disk, a LOG file that failed a write trips an assertion in Debian's librocksdb the next time
// RocksDB logs (the write error it is about to report), and kills the daemon.
class spdlog_rocksdb_logger final : public rocksdb::Logger {
public:
  spdlog_rocksdb_logger() : rocksdb::Logger(rocksdb::InfoLogLevel::INFO_LEVEL) {}
  using rocksdb::Logger::Logv;
  void Logv(const char* format, va_list ap) override { Logv(rocksdb::InfoLogLevel::INFO_LEVEL, format, ap); }
  void Logv(const rocksdb::InfoLogLevel level, const char* format, va_list ap) override {
    // Flushes, compactions and the options dump are routine: debug. Warnings and errors stay.
    auto lvl = level >= rocksdb::InfoLogLevel::HEADER_LEVEL  ? spdlog::level::debug
               : level >= rocksdb::InfoLogLevel::ERROR_LEVEL ? spdlog::level::err
               : level == rocksdb::InfoLogLevel::WARN_LEVEL  ? spdlog::level::warn
                                                              : spdlog::level::debug;
    if (level < GetInfoLogLevel() || !spdlog::should_log(lvl))
      return;
    char buf[1024];
    va_list copy;
    va_copy(copy, ap);
    int n = std::vsnprintf(buf, sizeof buf, format, copy);
    va_end(copy);
    if (n < 0)
      return;
    spdlog::log(lvl, "event=rocksdb message=\"{}\"", std::string_view(buf, std::min<std::size_t>(n, sizeof buf - 1)));
  }
};

// RocksDB would wait for the disk buffer it wants (64 MiB and more) before leaving the read-only
// mode a full disk causes; shopsync resumes itself instead (state_store::try_resume), as soon
// as a write fits again.
class manual_resume_on_no_space final : public rocksdb::EventListener {
public:
  void OnErrorRecoveryBegin(rocksdb::BackgroundErrorReason, rocksdb::Status bg_error, bool* auto_recovery) override {
    if (bg_error.IsNoSpace())
      *auto_recovery = false;
    bg_error.PermitUncheckedError();
  }
};

error storage_error(const rocksdb::Status& s, std::string_view what) {
  return error{error_kind::storage, std::string(what) + ": " + s.ToString()};
}
} // namespace

const char* column_name(column c) { return names[static_cast<int>(c)]; }

result<std::unique_ptr<state_store>> state_store::open(const options& opts) {
  rocksdb::Options db_opts;
  db_opts.create_if_missing = opts.create_if_missing;
  db_opts.create_missing_column_families = true;
  db_opts.IncreaseParallelism(2);
  db_opts.info_log = std::make_shared<spdlog_rocksdb_logger>();
  db_opts.listeners.push_back(std::make_shared<manual_resume_on_no_space>());
  // Group commit: concurrent writers are batched into one WAL write and one sync.
  db_opts.enable_pipelined_write = true;
  // Table files written by flushes and compactions go to disk 1 MiB at a time instead of
  // all at their final fsync. On ext4 (data=ordered) every WAL sync commits the journal,
  // and a journal commit first writes out the data of newly allocated blocks: without
  // this, an acknowledgement could wait for a whole 64 MiB memtable flush.
  db_opts.bytes_per_sync = 1 << 20;
  // Memtables of every column family together: without a cap each of the nine may hold up to
  // 2 x 64 MB, and a first alignment of a million identities fills levels and audit at once.
  db_opts.db_write_buffer_size = 128 << 20;

  std::vector<rocksdb::ColumnFamilyDescriptor> cfs;
  cfs.emplace_back(rocksdb::kDefaultColumnFamilyName, rocksdb::ColumnFamilyOptions(db_opts));
  for (auto* n : names)
    cfs.emplace_back(n, rocksdb::ColumnFamilyOptions(db_opts));
  // Nearly every dedup lookup is for a webhook id never seen, nearly every outbox lookup for a
  // result never recorded (the link asks before it queues a new write): Bloom filters answer
  // that without searching each table file's index and data block (an absent-key Get among
  // 2 M dedup records: 5.7 us without, 2.5 us with), and one over the memtable without its
  // skip list (the inbox writer does one per delivery, the links one per change).
  for (column c : {column::dedup, column::outbox}) {
    rocksdb::BlockBasedTableOptions table;
    table.filter_policy.reset(rocksdb::NewBloomFilterPolicy(10));
    auto& o = cfs[static_cast<std::size_t>(c) + 1].options;
    o.table_factory.reset(rocksdb::NewBlockBasedTableFactory(table));
    o.memtable_whole_key_filtering = true;
    o.memtable_prefix_bloom_size_ratio = 0.02;
  }

  // Created here rather than by RocksDB, which logs a missing directory as an error first.
  if (opts.create_if_missing) {
    std::error_code ec;
    std::filesystem::create_directories(opts.path, ec);
  }

  std::unique_ptr<state_store> self{new state_store()};
  self->path_ = opts.path;
  self->sync_writes_ = opts.sync_writes;
  rocksdb::DB* raw = nullptr;
  std::vector<rocksdb::ColumnFamilyHandle*> handles;
  auto s = rocksdb::DB::Open(db_opts, opts.path, cfs, &handles, &raw);
  if (!s.ok())
    return storage_error(s, "cannot open state store at " + opts.path);
  self->db_.reset(raw);
  self->handles_ = std::move(handles);

  auto version = self->get(column::meta, schema_key);
  if (!version)
    return version.error();
  if (!*version) {
    if (auto st = self->put(column::meta, schema_key, std::to_string(schema_version)); !st)
      return st.error();
  } else {
    int found = 0;
    try {
      found = std::stoi(**version);
    } catch (...) {
      return error{error_kind::storage_schema, "state store at " + opts.path + " has an unreadable schema version"};
    }
    if (found > schema_version)
      return error{error_kind::storage_schema, "state store at " + opts.path + " has schema version " +
                                         std::to_string(found) + ", newer than this shopsyncd (" +
                                         std::to_string(schema_version) +
                                         "): upgrade shopsyncd or restore a backup"};
  }
  return self;
}

state_store::~state_store() {
  if (!db_)
    return;
  for (auto* h : handles_)
    db_->DestroyColumnFamilyHandle(h);
  handles_.clear();
  db_->Close();
}

rocksdb::ColumnFamilyHandle* state_store::handle(column c) const {
  // handles_[0] is the default column family.
  return handles_[static_cast<std::size_t>(c) + 1];
}

status state_store::write(batch& b, bool sync) {
  if (write_hook_)
    write_hook_(b);
  if (fail_writes_)
    return error{error_kind::storage, "write refused (injected failure)"};
  rocksdb::WriteBatch wb;
  for (auto& op : b.ops_) {
    auto s = op.erase ? wb.Delete(handle(op.col), op.key) : wb.Put(handle(op.col), op.key, op.value);
    if (!s.ok())
      return storage_error(s, "batch");
  }
  if (needs_resume_.load(std::memory_order_acquire))
    try_resume();
  // Never a synced Write(): its writer leads RocksDB's write group, and every unsynced writer
  // that joins the group waits for the fsync (an item actor's record behind the inbox's, with
  // a CAF worker held). SyncWAL() after the write syncs the same WAL, everything written before
  // it included, outside the write group; the caller still returns only once it is on disk.
  rocksdb::WriteOptions wo;
  auto s = db_->Write(wo, &wb);
  if (s.ok() && sync_writes_ && sync)
    s = db_->SyncWAL();
  if (!s.ok()) {
    if (!s.IsBusy() && !s.IsTryAgain())
      needs_resume_.store(true, std::memory_order_release);
    return storage_error(s, "write");
  }
  return ok_status();
}

void state_store::try_resume() {
  std::unique_lock lock(resume_mu_, std::try_to_lock);
  if (!lock.owns_lock())
    return; // another writer is at it; this one fails or succeeds on its own
  auto now = std::chrono::steady_clock::now();
  if (now < next_resume_)
    return;
  next_resume_ = now + resume_interval;
  // Flushes the memtables (what was acknowledged reaches SST files) and starts a new WAL; fails,
  // changing nothing, while the disk is still full. On a healthy database it returns at once.
  auto s = db_->Resume();
  if (s.ok()) {
    needs_resume_.store(false, std::memory_order_release);
    spdlog::info("event=storage_resumed path={}", path_);
  } else {
    spdlog::warn("event=storage_resume_failed path={} error=\"{}\"", path_, s.ToString());
  }
}

status state_store::put(column c, std::string_view key, std::string_view value) {
  batch b;
  b.put(c, key, value);
  return write(b);
}

result<std::optional<std::string>> state_store::get(column c, std::string_view key) const {
  std::string value;
  auto s = db_->Get(rocksdb::ReadOptions(), handle(c), rocksdb::Slice(key.data(), key.size()), &value);
  if (s.IsNotFound())
    return std::optional<std::string>{};
  if (!s.ok())
    return storage_error(s, "get");
  return std::optional<std::string>{std::move(value)};
}

status state_store::scan(column c, std::string_view prefix,
                         const std::function<bool(std::string_view, std::string_view)>& fn) const {
  return scan(c, prefix, prefix, fn);
}

status state_store::scan(column c, std::string_view prefix, std::string_view from,
                         const std::function<bool(std::string_view, std::string_view)>& fn) const {
  std::unique_ptr<rocksdb::Iterator> it{db_->NewIterator(rocksdb::ReadOptions(), handle(c))};
  if (from < prefix)
    from = prefix;
  for (it->Seek(rocksdb::Slice(from.data(), from.size())); it->Valid(); it->Next()) {
    auto k = it->key();
    std::string_view key{k.data(), k.size()};
    if (key.substr(0, prefix.size()) != prefix)
      break;
    auto v = it->value();
    if (!fn(key, std::string_view{v.data(), v.size()}))
      break;
  }
  if (!it->status().ok())
    return storage_error(it->status(), "scan");
  return ok_status();
}

status state_store::checkpoint(const std::string& dir) const {
  rocksdb::Checkpoint* cp = nullptr;
  auto s = rocksdb::Checkpoint::Create(db_.get(), &cp);
  if (!s.ok())
    return storage_error(s, "checkpoint");
  std::unique_ptr<rocksdb::Checkpoint> guard{cp};
  s = cp->CreateCheckpoint(dir);
  if (!s.ok())
    return storage_error(s, "checkpoint");
  return ok_status();
}

status state_store::flush() {
  rocksdb::FlushOptions fo;
  fo.wait = true;
  auto s = db_->Flush(fo, handles_);
  if (!s.ok())
    return storage_error(s, "flush");
  s = db_->FlushWAL(true);
  if (!s.ok())
    return storage_error(s, "flush wal");
  return ok_status();
}

} // namespace shopsync
