#include "support/config_text.hpp"

#include <stdexcept>

namespace shopsync::testing {

const std::string& minimal_config_text() {
  // A function, not a global: other translation units build their texts from it at start-up.
  static const std::string text = R"([daemon]
listen = "127.0.0.1:8080"
control_socket = "/tmp/shopsync-test/control.sock"
data_dir = "/tmp/shopsync-test/data"
webhook_secret_files = ["webhook-secret"]

[[stores]]
name = "main"
shop_domain = "main.myshopify.com"
role = "source"
access_token_file = "main.token"

[[stores]]
name = "outlet"
shop_domain = "outlet.myshopify.com"
role = "destination"
access_token_file = "outlet.token"

[[groups]]
name = "stock"
source = "main"
destinations = ["outlet"]
strategy = "one_way"
)";
  return text;
}

std::string replace_once(std::string text, const std::string& from, const std::string& to) {
  auto pos = text.find(from);
  if (pos == std::string::npos) throw std::runtime_error("test text lacks: " + from);
  return text.replace(pos, from.size(), to);
}

} // namespace shopsync::testing
