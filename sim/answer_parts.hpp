#pragma once
// Small pieces the simulator's answers share: Shopify's top-level GraphQL errors array, a JSON
// answer, and form/query decoding.
#include "sim/model.hpp"
#include "sim/simulator.hpp"

#include <optional>

#include <string>
#include <string_view>

namespace shopsync::sim {

// `[{"message": message, "extensions": {"code": code}}]`, as Shopify's top-level `errors`.
std::string errors_json(std::string_view message, std::string_view code);

// An answer with `status` and a JSON body.
http_answer json_answer(int status, std::string body);

// Opaque base64 pagination cursors like Shopify's, carrying the last id of a page.
std::string cursor_for(i64 id);
std::optional<i64> cursor_id(std::string_view cursor); // nullopt: not one of ours

// application/x-www-form-urlencoded and query-string decoding ('+' is a space, %XX a byte).
std::string url_decode(std::string_view in);

} // namespace shopsync::sim
