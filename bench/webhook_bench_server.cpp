// The webhook intake alone, for bench/run_intake_bench.sh: webhook_server + inbox on a
// RocksDB in a temporary directory, durable (WAL fsynced before each answer) unless
// --no-sync. Prints "listening <port>" once ready; stops on SIGINT/SIGTERM.
//
//   webhook_bench_server [--port 0] [--io-threads 2] [--no-sync] [--dir DIR]
//                        [--secret hush] [--shop shop-a.myshopify.com]
#include "io/inbox.hpp"
#include "io/metrics.hpp"
#include "io/state_store.hpp"
#include "io/webhook_server.hpp"

#include <spdlog/spdlog.h>

#include <atomic>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <thread>

using namespace shopsync;

namespace {
std::atomic<bool> quit{false};
void on_signal(int) { quit = true; }
} // namespace

int main(int argc, char** argv) {
  webhook_server::options o;
  o.port = 0;
  o.io_threads = 2;
  o.shop_domains = {"shop-a.myshopify.com"};
  o.secrets = {"hush"};
  bool sync = true;
  std::string dir;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto val = [&]() -> std::string {
      if (i + 1 >= argc) {
        std::fprintf(stderr, "%s needs a value\n", a.c_str());
        std::exit(2);
      }
      return argv[++i];
    };
    if (a == "--port")
      o.port = static_cast<std::uint16_t>(std::stoi(val()));
    else if (a == "--io-threads")
      o.io_threads = std::stoi(val());
    else if (a == "--no-sync")
      sync = false;
    else if (a == "--dir")
      dir = val();
    else if (a == "--secret")
      o.secrets = {val()};
    else if (a == "--shop")
      o.shop_domains = {val()};
    else {
      std::fprintf(stderr, "unknown option %s\n", a.c_str());
      return 2;
    }
  }
  spdlog::set_level(spdlog::level::warn);
  bool own_dir = dir.empty();
  if (own_dir) {
    std::string tmpl = (std::filesystem::temp_directory_path() / "webhook-bench-XXXXXX").string();
    if (!::mkdtemp(tmpl.data())) {
      std::perror("mkdtemp");
      return 1;
    }
    dir = tmpl;
  }
  int rc = 0;
  {
    auto store = state_store::open({dir + "/db", sync, true});
    if (!store) {
      std::fprintf(stderr, "%s\n", store.error().message.c_str());
      return 1;
    }
    metrics_registry metrics;
    inbox::options io;
    io.metrics = &metrics;
    auto in = inbox::open(**store, io);
    if (!in) {
      std::fprintf(stderr, "%s\n", in.error().message.c_str());
      return 1;
    }
    std::atomic<std::uint64_t> accepted{0};
    webhook_server server(o, **in, metrics, [&](std::uint64_t, webhook_envelope) { ++accepted; });
    auto port = server.start();
    if (!port) {
      std::fprintf(stderr, "%s\n", port.error().message.c_str());
      return 1;
    }
    server.set_ready(true);
    std::signal(SIGINT, on_signal);
    std::signal(SIGTERM, on_signal);
    std::printf("listening %u sync=%d dir=%s\n", unsigned(*port), int(sync), dir.c_str());
    std::fflush(stdout);
    while (!quit)
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    server.stop();
    (*in)->stop();
    auto& batches = metrics.histogram("shopsync_inbox_batch_size", "", {});
    auto& writes = metrics.histogram("shopsync_inbox_write_seconds", "", {});
    auto& queued = metrics.histogram("shopsync_inbox_queue_seconds", "", {});
    auto mean_ms = [](histogram_metric& h) { return h.count() ? h.sum() * 1000 / double(h.count()) : 0.0; };
    std::printf("accepted %llu inbox_depth %llu batches %llu mean_batch %.1f mean_queue_ms %.3f mean_write_ms %.3f\n",
                static_cast<unsigned long long>(accepted.load()), static_cast<unsigned long long>((*in)->depth()),
                static_cast<unsigned long long>(batches.count()), batches.count() ? batches.sum() / double(batches.count()) : 0.0,
                mean_ms(queued), mean_ms(writes));
  }
  if (own_dir) {
    std::error_code ec;
    std::filesystem::remove_all(dir, ec);
  }
  return rc;
}
