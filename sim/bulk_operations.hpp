#pragma once
// A store's bulk query operations (bulkOperationRunQuery), as the 2026-10 schema's BulkOperation
// describes them: created with status CREATED, RUNNING while objects are read, then COMPLETED
// with a `url` to a JSONL file (its `fileSize`), or FAILED with an `errorCode` and, when some
// data was read, a `partialDataUrl`. `objectCount` / `rootObjectCount` are running counts.
//
// The result is computed when the operation is created (a snapshot of the store at that moment)
// into an unlinked temporary file, and revealed over time: the operation runs
// objects / bulk_objects_per_second seconds. The file is served by /_sim/bulk/<id>.jsonl.
#include "sim/bulk_query.hpp"
#include "sim/model.hpp"

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

namespace shopsync::sim {

// A file deleted from its directory as soon as it was made: it lives as long as this handle
// (and the process), so a killed simulator leaves nothing behind.
class bulk_file {
public:
  bulk_file(); // throws std::runtime_error when no temporary file can be made
  ~bulk_file();
  bulk_file(const bulk_file&) = delete;
  bulk_file& operator=(const bulk_file&) = delete;
  void append(const std::string& bytes); // buffered
  void finish();                          // flushes the buffer
  std::uint64_t size() const noexcept { return size_; }
  // Reads up to n bytes at offset; returns how many.
  std::size_t read(std::uint64_t offset, char* buf, std::size_t n) const;

private:
  int fd_ = -1;
  std::uint64_t size_ = 0;
  std::string buffer_;
};

struct bulk_operation {
  i64 id = 0;
  std::string query;
  bool group_objects = false;
  i64 created_at = 0; // unix seconds
  std::chrono::steady_clock::time_point started{};
  double objects_per_second = 0; // <= 0: done at once
  bulk_counts total;              // the whole result
  std::shared_ptr<bulk_file> file;
  // An injected failure: the code, and after how many objects (bytes) it strikes.
  std::string fail_code;
  std::uint64_t fail_objects = 0, fail_bytes = 0, fail_roots = 0;
};

struct bulk_status {
  std::string status; // CREATED | RUNNING | COMPLETED | FAILED
  std::uint64_t object_count = 0, root_object_count = 0;
  std::optional<std::string> error_code;
  bool url = false;          // COMPLETED with data
  bool partial_url = false;  // FAILED after some data
  std::uint64_t file_size = 0; // of the url's file
  std::uint64_t partial_size = 0;
  std::optional<i64> completed_at; // unix seconds
};

// Where `op` stands at `now`. `just_created`: the answer of the mutation itself (CREATED).
bulk_status bulk_status_at(const bulk_operation& op, std::chrono::steady_clock::time_point now,
                           bool just_created = false);

// Whether `op` still counts against the concurrency limit at `now`.
inline bool bulk_running(const bulk_operation& op, std::chrono::steady_clock::time_point now) {
  auto st = bulk_status_at(op, now).status;
  return st == "CREATED" || st == "RUNNING";
}

} // namespace shopsync::sim
