// HTTPS: the client verifies the server's certificate against the system CA store; a
// self-signed certificate (what a man in the middle would present) is refused, typed.
#include "io/admin_client.hpp"
#include "io/io_threads.hpp"

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

#include <atomic>
#include <future>
#include <thread>

using namespace shopsync;
using namespace std::chrono_literals;
namespace net = boost::asio;
namespace ssl = net::ssl;
using tcp = net::ip::tcp;

namespace {

// A fresh self-signed certificate for CN=demo.myshopify.com, loaded into a server context.
void self_signed(ssl::context& ctx) {
  EVP_PKEY* key = EVP_EC_gen("P-256");
  X509* cert = X509_new();
  ASN1_INTEGER_set(X509_get_serialNumber(cert), 1);
  X509_gmtime_adj(X509_getm_notBefore(cert), 0);
  X509_gmtime_adj(X509_getm_notAfter(cert), 3600);
  X509_set_pubkey(cert, key);
  X509_NAME* name = X509_get_subject_name(cert);
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>("demo.myshopify.com"), -1, -1, 0);
  X509_set_issuer_name(cert, name);
  X509_sign(cert, key, EVP_sha256());
  SSL_CTX_use_certificate(ctx.native_handle(), cert);
  SSL_CTX_use_PrivateKey(ctx.native_handle(), key);
  X509_free(cert);
  EVP_PKEY_free(key);
}

} // namespace

TEST(admin_client_tls, a_certificate_not_signed_by_a_trusted_ca_is_refused) {
  net::io_context sioc;
  ssl::context sctx(ssl::context::tls_server);
  self_signed(sctx);
  tcp::acceptor acc(sioc, {net::ip::make_address("127.0.0.1"), 0});
  auto port = acc.local_endpoint().port();
  std::atomic<bool> handshake_failed{false};
  std::thread server([&] {
    tcp::socket s(sioc);
    boost::system::error_code ec;
    acc.accept(s, ec);
    if (ec)
      return;
    ssl::stream<tcp::socket> tls(std::move(s), sctx);
    tls.handshake(ssl::stream_base::server, ec);
    handshake_failed = static_cast<bool>(ec);
  });

  io_threads io(1);
  admin_client_options o;
  o.backoff.max_attempts = 1;
  o.connect_timeout = 2s;
  auto client = admin_client::make(
    io.context(), {"demo", "demo.myshopify.com", "https://127.0.0.1:" + std::to_string(port), "2026-10", "t"}, o);
  std::promise<result<graphql_reply>> p;
  client->post({"Locations", "q", "{}", request_safety::query, 1},
               [&p](result<graphql_reply> r) { p.set_value(std::move(r)); });
  auto r = p.get_future().get();
  server.join();
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, "admin.unavailable");
  EXPECT_NE(r.error().message.find("TLS handshake"), std::string::npos) << r.error().message;
  EXPECT_NE(r.error().message.find("certificate verify failed"), std::string::npos) << r.error().message;
  EXPECT_TRUE(handshake_failed);
  EXPECT_EQ(client->stats().attempts, 0u); // nothing was sent
}
