#include "io/state_store.hpp"

#include <rocksdb/db.h>
#include <rocksdb/options.h>
#include <rocksdb/utilities/checkpoint.h>
#include <rocksdb/write_batch.h>

#include <spdlog/spdlog.h>

namespace shopsync {

namespace {
constexpr const char* names[column_count] = {"meta",   "mapping", "levels", "outbox",
                                              "orders", "inbox",   "dedup",  "audit"};
constexpr std::string_view schema_key = "schema_version";

error storage_error(const rocksdb::Status& s, std::string_view what) {
  return error{"storage", std::string(what) + ": " + s.ToString()};
}
} // namespace

const char* column_name(column c) { return names[static_cast<int>(c)]; }

result<std::unique_ptr<state_store>> state_store::open(const options& opts) {
  rocksdb::Options db_opts;
  db_opts.create_if_missing = opts.create_if_missing;
  db_opts.create_missing_column_families = true;
  db_opts.IncreaseParallelism(2);
  db_opts.keep_log_file_num = 4;
  // Group commit: concurrent writers are batched into one WAL write and one sync.
  db_opts.enable_pipelined_write = true;
  // Memtables of every column family together: without a cap each of the nine may hold up to
  // 2 x 64 MB, and a first alignment of a million identities fills levels and audit at once.
  db_opts.db_write_buffer_size = 128 << 20;

  std::vector<rocksdb::ColumnFamilyDescriptor> cfs;
  cfs.emplace_back(rocksdb::kDefaultColumnFamilyName, rocksdb::ColumnFamilyOptions(db_opts));
  for (auto* n : names)
    cfs.emplace_back(n, rocksdb::ColumnFamilyOptions(db_opts));

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
      return error{"storage.schema", "state store at " + opts.path + " has an unreadable schema version"};
    }
    if (found > schema_version)
      return error{"storage.schema", "state store at " + opts.path + " has schema version " +
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
  if (fail_writes_)
    return error{"storage", "write refused (injected failure)"};
  rocksdb::WriteBatch wb;
  for (auto& op : b.ops_) {
    auto s = op.erase ? wb.Delete(handle(op.col), op.key) : wb.Put(handle(op.col), op.key, op.value);
    if (!s.ok())
      return storage_error(s, "batch");
  }
  rocksdb::WriteOptions wo;
  wo.sync = sync_writes_ && sync;
  auto s = db_->Write(wo, &wb);
  if (!s.ok())
    return storage_error(s, "write");
  return ok_status();
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
