#include "io/hmac.hpp"

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/params.h>

#include <array>

namespace shopsync {

namespace {

// One EVP_MAC context per thread, re-keyed per call: saves the fetch and allocation that
// the one-shot HMAC() pays every time (~1.3 µs instead of ~2.3 µs on 2 KB here).
class mac_context {
public:
  mac_context() {
    mac_ = EVP_MAC_fetch(nullptr, "HMAC", nullptr);
    if (mac_)
      ctx_ = EVP_MAC_CTX_new(mac_);
    // The digest is set once; each call only re-keys.
    char digest[] = "SHA256";
    OSSL_PARAM params[] = {OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest, 0),
                           OSSL_PARAM_construct_end()};
    if (ctx_ && EVP_MAC_CTX_set_params(ctx_, params) != 1) {
      EVP_MAC_CTX_free(ctx_);
      ctx_ = nullptr;
    }
  }
  ~mac_context() {
    EVP_MAC_CTX_free(ctx_);
    EVP_MAC_free(mac_);
  }
  mac_context(const mac_context&) = delete;
  mac_context& operator=(const mac_context&) = delete;

  // Returns false only if OpenSSL fails (no HMAC provider): the caller treats that as
  // "does not verify".
  bool compute(std::string_view key, std::string_view message, std::array<unsigned char, 32>& out) {
    if (!ctx_)
      return false;
    // OpenSSL refuses a NULL key pointer even with length 0.
    static const unsigned char empty_key = 0;
    const auto* k = key.empty() ? &empty_key : reinterpret_cast<const unsigned char*>(key.data());
    if (EVP_MAC_init(ctx_, k, key.size(), nullptr) != 1)
      return false;
    if (EVP_MAC_update(ctx_, reinterpret_cast<const unsigned char*>(message.data()), message.size()) != 1)
      return false;
    std::size_t len = 0;
    if (EVP_MAC_final(ctx_, out.data(), &len, out.size()) != 1 || len != out.size())
      return false;
    return true;
  }

private:
  EVP_MAC* mac_ = nullptr;
  EVP_MAC_CTX* ctx_ = nullptr;
};

mac_context& thread_context() {
  thread_local mac_context ctx;
  return ctx;
}

std::string base64(const unsigned char* data, std::size_t n) {
  std::string out(4 * ((n + 2) / 3), '\0');
  int written = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()), data, static_cast<int>(n));
  out.resize(static_cast<std::size_t>(written));
  return out;
}

} // namespace

std::string hmac_sha256_base64(std::string_view key, std::string_view message) {
  std::array<unsigned char, 32> mac{};
  if (!thread_context().compute(key, message, mac))
    return {}; // OpenSSL without an HMAC provider: nothing will verify either
  return base64(mac.data(), mac.size());
}

std::string hmac_sha256_hex(std::string_view key, std::string_view message) {
  std::array<unsigned char, 32> mac{};
  if (!thread_context().compute(key, message, mac))
    return {};
  static const char* digits = "0123456789abcdef";
  std::string out;
  for (auto b : mac) {
    out.push_back(digits[b >> 4]);
    out.push_back(digits[b & 15]);
  }
  return out;
}

bool verify_hmac_sha256_base64(std::string_view signature, std::string_view message,
                               const std::vector<std::string>& secrets) {
  constexpr std::size_t b64_len = 44;
  bool ok = false;
  std::array<unsigned char, 32> mac{};
  for (auto& secret : secrets) {
    if (secret.empty())
      continue; // an unset secret must not make "HMAC with an empty key" acceptable
    if (!thread_context().compute(secret, message, mac))
      continue;
    auto expected = base64(mac.data(), mac.size());
    // The length of a base64 SHA-256 MAC is public; only its bytes are compared in
    // constant time.
    bool same = signature.size() == b64_len &&
                CRYPTO_memcmp(expected.data(), signature.data(), b64_len) == 0;
    ok = ok | same;
  }
  return ok;
}

} // namespace shopsync
