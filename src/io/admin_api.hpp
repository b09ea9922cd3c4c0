#pragma once
// Typed Admin API operations on top of admin_client: the documents of graphql_documents.hpp,
// variables built with json_writer, answers parsed with simdjson On-Demand into plain rows.
// userErrors become typed per-entry or per-mutation errors; nothing is swallowed.
// Callbacks run on the client's io threads.
#include "domain/ids.hpp"
#include "domain/inventory_answers.hpp"
#include "domain/request_size.hpp"
#include "domain/result.hpp"
#include "domain/write_coalescer.hpp"
#include "io/admin_client.hpp"

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace shopsync {

struct catalog_row {
  product_id product = 0;
  std::string handle;
  variant_id variant = 0;
  std::string sku, barcode, title;
  int position = 0;
  std::vector<std::pair<std::string, std::string>> options; // selectedOptions (name, value)
  inventory_item_id inventory_item = 0;
  bool tracked = true;
  // The product's, for the group's filter and allocation rules.
  std::vector<std::string> tags;
  std::string vendor, product_type;
};

struct catalog_page {
  std::vector<catalog_row> rows;
  bool has_next = false;
  std::string end_cursor;
};

struct location_row {
  location_id id = 0;
  std::string name;
  bool active = true;
};

inline constexpr int catalog_page_size = 100;
inline constexpr std::size_t max_level_ids = 250;

class admin_api {
public:
  template <class T>
  using callback = std::function<void(result<T>)>;

  // Copies share the client and what was learnt of the store's costs.
  explicit admin_api(std::shared_ptr<admin_client> client);
  // The operations below are virtual only so that a test can stand in for a store (the store
  // link's api option); the daemon never derives from this class.
  virtual ~admin_api() = default;
  admin_api(const admin_api&) = default;
  admin_api& operator=(const admin_api&) = default;
  admin_api(admin_api&&) = default;
  admin_api& operator=(admin_api&&) = default;
  admin_client& client() { return *client_; }
  const std::shared_ptr<admin_client>& client_ptr() const { return client_; }

  // Reads, sized to the store's cost bucket (domain/request_size.hpp): a page holds at most
  // `first` variants, fewer when a page of `first` would not fit the bucket (the cursor goes on
  // from there); level reads are split into as many queries as the bucket needs. A request
  // refused as never fitting (exceeds_bucket_code, MAX_COST_EXCEEDED) is made smaller and sent
  // again; when even one item cannot run, the error is returned and a warning names the store.
  virtual void catalog(int first, const std::optional<std::string>& after, callback<catalog_page> done);
  // Every active location (all pages).
  virtual void locations(callback<std::vector<location_row>> done);
  // Up to 250 levels of ONE location (one location per query), in the order asked.
  virtual void inventory_levels(const std::vector<level_key>& keys, callback<std::vector<level_value>> done);
  // A prepared set or adjust mutation (see write_variables). Only the client's transport
  // retries apply: an answer such as IDEMPOTENCY_CONCURRENT_REQUEST (the first attempt with this
  // key still runs) is the outcome; the store link parks the batch and its requester asks again
  // after its own backoff (the domain owns operation retries).
  virtual void write_inventory(write_kind kind, std::string variables_json, std::vector<level_key> entries,
                               callback<write_outcome> done);
  // Any document (the order path): the `data` object as JSON text.
  void execute(std::string operation, std::string document, std::string variables_json,
               request_safety safety, callback<std::string> done);

  // --- pure helpers (tested directly)
  static std::string write_variables(const write_batch& b, const std::string& idempotency_key,
                                     const std::string& reference_uri);
  static result<catalog_page> parse_catalog(std::string body);
  static result<std::pair<std::vector<location_row>, std::optional<std::string>>>
  parse_locations(std::string body);
  static result<std::vector<level_value>> parse_levels(std::string body,
                                                       const std::vector<level_key>& keys);
  // Lines of the bulk operations' files (graphql_documents.hpp: BulkCatalog, BulkLevels): a
  // variant; a level of a location (its line names the location by __parentId), or nullopt for
  // a location's own line.
  static result<catalog_row> parse_catalog_line(std::string_view line);
  static result<std::optional<level_value>> parse_level_line(std::string_view line);
  static result<write_outcome> parse_write(std::string body, write_kind kind,
                                           const std::vector<level_key>& entries);
  static result<std::string> parse_data(std::string body);
  // ProductVariantsCount's answer: the count (a lower bound when its precision is AT_LEAST).
  static result<std::uint64_t> parse_variants_count(std::string body);

  // Variants per catalog page and levels per query as the store's bucket allows now (tests,
  // status).
  std::size_t catalog_page_limit(std::size_t wanted = catalog_page_size) const;
  std::size_t level_query_limit(std::size_t wanted = max_level_ids) const;

private:
  struct sizing;
  void levels_from(std::shared_ptr<const std::vector<level_key>> keys, std::size_t from,
                   std::vector<level_value> acc, callback<std::vector<level_value>> done);
  // After an answer: what a request of `items` cost and how big the bucket is.
  void learn(request_sizer sizing::*which, std::size_t items, const graphql_reply& r);
  // After a refusal: whether a smaller request may fit (then it is sent); logs either way.
  bool shrink(request_sizer sizing::*which, const char* what, std::size_t items, const error& e);
  void locations_from(std::optional<std::string> after, std::vector<location_row> acc,
                      callback<std::vector<location_row>> done);

  std::shared_ptr<admin_client> client_;
  std::shared_ptr<sizing> sizing_;
};

} // namespace shopsync
