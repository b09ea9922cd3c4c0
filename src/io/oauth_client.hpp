#pragma once
// Shopify's OAuth token endpoint, POST https://{shop}/admin/oauth/access_token, form-encoded:
//   client credentials grant: grant_type=client_credentials&client_id=…&client_secret=…
//   authorization code grant: client_id=…&client_secret=…&code=…
// → {"access_token", "scope", "expires_in"?}. One request per call, on the given io_context
// (TLS unless base_url says http://, as for the simulator); the callback runs on an io thread.
// Errors: "auth.refused" (a 4xx: the credentials, the code or the installation were refused;
// asking again will not help), "auth.unavailable" (transport error, timeout or 5xx: try later),
// "auth.bad_response" (no access_token in a 200).
#include "domain/result.hpp"

#include <boost/asio/io_context.hpp>

#include <chrono>
#include <functional>
#include <optional>
#include <string>

namespace shopsync {

struct oauth_endpoint {
  std::string shop_domain; // Host, and TLS name when base_url is empty
  std::string base_url;    // empty: https://{shop_domain}
};

struct oauth_token {
  std::string access_token;
  std::string scope;                          // comma-separated, as granted
  std::optional<std::chrono::seconds> expires_in; // absent: an offline token that does not expire
};

using oauth_token_fn = std::function<void(result<oauth_token>)>;

// application/x-www-form-urlencoded (RFC 3986 unreserved characters kept).
std::string form_encode(const std::string& v);

void client_credentials_grant(boost::asio::io_context& io, const oauth_endpoint& ep, const std::string& client_id,
                              const std::string& client_secret, oauth_token_fn done,
                              std::chrono::milliseconds timeout = std::chrono::seconds(30));
void authorization_code_grant(boost::asio::io_context& io, const oauth_endpoint& ep, const std::string& client_id,
                              const std::string& client_secret, const std::string& code, oauth_token_fn done,
                              std::chrono::milliseconds timeout = std::chrono::seconds(30));

// The token endpoint's JSON answer (exposed for tests).
result<oauth_token> parse_token_answer(std::string body);

} // namespace shopsync
