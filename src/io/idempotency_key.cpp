#include "io/idempotency_key.hpp"

#include <openssl/sha.h>

#include <string>

namespace shopsync {

std::string uuid_v5(const uuid_bytes& ns, std::string_view name) {
  std::string input(reinterpret_cast<const char*>(ns.data()), ns.size());
  input.append(name);
  unsigned char digest[SHA_DIGEST_LENGTH];
  SHA1(reinterpret_cast<const unsigned char*>(input.data()), input.size(), digest);
  digest[6] = static_cast<unsigned char>((digest[6] & 0x0f) | 0x50); // version 5
  digest[8] = static_cast<unsigned char>((digest[8] & 0x3f) | 0x80); // RFC 4122 variant
  static constexpr char hex[] = "0123456789abcdef";
  std::string out;
  out.reserve(36);
  for (int i = 0; i < 16; ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10)
      out.push_back('-');
    out.push_back(hex[digest[i] >> 4]);
    out.push_back(hex[digest[i] & 0x0f]);
  }
  return out;
}

namespace {
// RFC 4122 appendix C: the URL namespace.
constexpr uuid_bytes url_namespace = {0x6b, 0xa7, 0xb8, 0x11, 0x9d, 0xad, 0x11, 0xd1,
                                      0x80, 0xb4, 0x00, 0xc0, 0x4f, 0xd4, 0x30, 0xc8};

uuid_bytes parse_uuid(const std::string& text) {
  uuid_bytes b{};
  int n = 0;
  auto nib = [](char c) { return c <= '9' ? c - '0' : c - 'a' + 10; };
  for (std::size_t i = 0; i + 1 < text.size() && n < 16;) {
    if (text[i] == '-') {
      ++i;
      continue;
    }
    b[n++] = static_cast<std::uint8_t>(nib(text[i]) << 4 | nib(text[i + 1]));
    i += 2;
  }
  return b;
}
} // namespace

const uuid_bytes& shopsync_namespace() {
  static const uuid_bytes ns = parse_uuid(uuid_v5(url_namespace, "https://shopsync/idempotency"));
  return ns;
}

std::string intent_idempotency_key(std::string_view store, inventory_item_id item,
                                   location_id location, std::uint64_t op_id) {
  std::string name = "intent/";
  name.append(store).append("/").append(std::to_string(item)).append("/");
  name.append(std::to_string(location)).append("/").append(std::to_string(op_id));
  return uuid_v5(shopsync_namespace(), name);
}

std::string batch_idempotency_key(std::string_view store, std::uint64_t batch_id) {
  std::string name = "batch/";
  name.append(store).append("/").append(std::to_string(batch_id));
  return uuid_v5(shopsync_namespace(), name);
}

} // namespace shopsync
