#pragma once
// Shopify bulk query operations for one store: `bulkOperationRunQuery` starts a query over a
// whole catalog that runs outside the cost bucket; `bulkOperation(id)` is polled (with backoff)
// until it is COMPLETED, FAILED, CANCELED or EXPIRED; the JSONL file at its `url` is then
// streamed line by line (io/bulk_download.hpp). A node of a nested connection is a line of its
// own with `__parentId`, the id of its parent.
//
// One bulk operation per store at a time: a run asked while another is on its way starts when
// that one ends (Shopify allows one, or a few from 2026-01: shopsync never needs more).
// Everything runs on the io threads; callbacks too (bridge to actors with anon_send).
//
// Error codes of a failed run: "bulk.refused" (userErrors, e.g. OPERATION_IN_PROGRESS),
// "bulk.failed" (status FAILED / CANCELED / EXPIRED; the message has Shopify's errorCode:
// INTERNAL_SERVER_ERROR, TIMEOUT, ACCESS_DENIED), "bulk.timeout" (still running after
// bulk_options::give_up), "bulk.download", "admin.bad_response", or an admin_client code.
// A failed run may have handed lines over already: the caller starts again from nothing (the
// paged read) rather than using part of a file.
#include "domain/result.hpp"
#include "io/admin_client.hpp"
#include "io/bulk_download.hpp"

#include <boost/asio/io_context.hpp>

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace shopsync {

struct bulk_options {
  std::chrono::milliseconds poll_first{200};   // first status poll after the start
  std::chrono::milliseconds poll_max{5'000};   // polls back off (x2) up to this
  std::chrono::milliseconds give_up{4 * 3600 * 1000LL};
  bulk_download_options download{};
};

struct bulk_status {
  std::string id;
  std::string status; // CREATED | RUNNING | COMPLETED | CANCELING | CANCELED | FAILED | EXPIRED
  std::optional<std::string> error_code;
  std::optional<std::string> url;
  std::uint64_t object_count = 0;
};

struct bulk_summary {
  std::string id;
  std::uint64_t objects = 0; // objectCount at completion
  std::uint64_t lines = 0;   // lines handed over
};

class bulk_runner : public std::enable_shared_from_this<bulk_runner> {
public:
  using line_fn = std::function<void(std::string_view)>;
  using done_fn = std::function<void(result<bulk_summary>)>;

  static std::shared_ptr<bulk_runner> make(boost::asio::io_context& ioc, std::shared_ptr<admin_client> client,
                                           bulk_options opts = {});
  virtual ~bulk_runner() = default;
  // Runs `query` (a document of one top-level connection, see graphql_documents.hpp) and hands
  // every line of its result to on_line, then calls done.
  virtual void run(std::string query, line_fn on_line, done_fn done) = 0;
  // Runs started (for tests and status).
  virtual std::uint64_t runs() const = 0;

  // --- pure helpers (tested directly)
  // The answer of bulkOperationRunQuery: the operation's id, or the userErrors as "bulk.refused".
  static result<std::string> parse_started(std::string body);
  static result<bulk_status> parse_status(std::string body);
};

} // namespace shopsync
