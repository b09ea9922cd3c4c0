// shopify-sim: plays several Shopify stores for tests, benchmarks and the demo (see sim/README.md).
#include "sim/http_server.hpp"
#include "sim/scenario.hpp"
#include "sim/simulator.hpp"

#include <CLI/CLI.hpp>

#include <csignal>
#include <cstdio>
#include <iostream>
#include <thread>
#include <unistd.h>

using namespace shopsync::sim;

int main(int argc, char** argv) {
  CLI::App app{"shopify-sim: a Shopify Admin API and webhook simulator"};
  std::string scenario_path, address = "127.0.0.1", webhook_url;
  int port = 0, stores = 0, products = 20, variants = 2, webhook_threads = 2;
  std::uint64_t seed = 1;
  double time_scale = 1.0;
  app.add_option("--scenario", scenario_path, "scenario JSON file");
  app.add_option("--stores", stores, "without --scenario: N generated stores store-<i>.myshopify.com");
  app.add_option("--products", products, "with --stores: products per store");
  app.add_option("--variants", variants, "with --stores: variants per product");
  app.add_option("--port", port, "TCP port (0: any free port)");
  app.add_option("--address", address, "address to bind");
  app.add_option("--webhook-url", webhook_url, "where webhooks go (overrides the scenario)");
  bool no_app_subscriptions = false;
  app.add_flag("--no-app-subscriptions", no_app_subscriptions,
               "no store has app-specific subscriptions: only API-made ones deliver");
  app.add_option("--webhook-threads", webhook_threads, "concurrent webhook senders");
  bool webhook_keep_alive = true;
  app.add_option("--webhook-keep-alive", webhook_keep_alive,
                 "each sender keeps its connection open between deliveries, as nginx does upstream (false: one per delivery)");
  app.add_option("--seed", seed, "seed of every random choice (ids, faults, webhook ids)");
  app.add_option("--time-scale", time_scale, "multiplies webhook retry backoff and deadlines (0.001: ms for s)");

  // Fault flags: each maps onto the key of the same name in /_sim/faults and the scenario's "faults".
  fault_config f;
  std::map<std::string, CLI::Option*> fault_opts;
  fault_opts["error_rate"] = app.add_option("--fault-error-rate", f.error_rate, "share of Admin calls answered with an HTTP error");
  fault_opts["error_status"] = app.add_option("--fault-error-status", f.error_status, "that HTTP status (default 503)");
  fault_opts["throttle_rate"] = app.add_option("--fault-throttle-rate", f.throttle_rate, "share answered THROTTLED regardless of the bucket");
  fault_opts["latency_ms"] = app.add_option("--fault-latency-ms", f.latency_ms, "added latency per Admin call");
  fault_opts["latency_jitter_ms"] = app.add_option("--fault-latency-jitter-ms", f.latency_jitter_ms, "plus uniform random [0, N] ms");
  fault_opts["lost_rate"] = app.add_option("--fault-lost-rate", f.lost_rate, "share applied but never answered");
  fault_opts["lost_mode"] = app.add_option("--fault-lost-mode", f.lost_mode, "hang (silent open connection) or drop (closed)");
  fault_opts["webhook_duplicate_rate"] = app.add_option("--fault-webhook-duplicate-rate", f.webhook_duplicate_rate, "share of webhooks delivered twice");
  fault_opts["webhook_reorder_rate"] = app.add_option("--fault-webhook-reorder-rate", f.webhook_reorder_rate, "share held back so later ones overtake");
  fault_opts["webhook_reorder_window_ms"] = app.add_option("--fault-webhook-reorder-window-ms", f.webhook_reorder_window_ms, "how far back (ms)");
  fault_opts["webhook_delay_ms"] = app.add_option("--fault-webhook-delay-ms", f.webhook_delay_ms, "every webhook sent this much later");
  fault_opts["webhook_delay_jitter_ms"] = app.add_option("--fault-webhook-delay-jitter-ms", f.webhook_delay_jitter_ms, "plus uniform random [0, N] ms");
  fault_opts["webhook_loss_rate"] = app.add_option("--fault-webhook-loss-rate", f.webhook_loss_rate, "share of webhooks never sent");
  fault_opts["idempotency_window_s"] = app.add_option("--fault-idempotency-window-s", f.idempotency_window_s, "seconds a store keeps an idempotency key (0: for ever)");
  fault_opts["negative_sets"] = app.add_option("--fault-negative-sets", f.negative_sets, "refuse (INVALID_QUANTITY_NEGATIVE, default) or apply sets below 0");
  std::string fault_operations;
  fault_opts["operations"] = app.add_option("--fault-operations", fault_operations, "comma-separated operationNames the Admin faults apply to (default: all)");
  CLI11_PARSE(app, argc, argv);

  scenario sc;
  try {
    if (!scenario_path.empty())
      sc = load_scenario_file(scenario_path);
    else if (stores > 0)
      sc = generated_scenario(stores, products, variants);
    else {
      std::cerr << "shopify-sim: give --scenario FILE or --stores N\n";
      return 2;
    }
  } catch (const std::exception& e) {
    std::cerr << "shopify-sim: " << e.what() << "\n";
    return 2;
  }

  sim_options opts;
  opts.seed = seed;
  opts.time_scale = time_scale;
  opts.webhook_url = webhook_url;
  opts.app_subscriptions = !no_app_subscriptions;
  opts.webhook_threads = webhook_threads;
  opts.webhook_keep_alive = webhook_keep_alive;
  // Flags given on the command line override the scenario's faults key by key.
  fault_config merged = sc.faults.value_or(fault_config{});
  bool any = false;
  for (auto& [key, opt] : fault_opts) {
    if (opt->count() == 0)
      continue;
    any = true;
    if (key == "error_rate") merged.error_rate = f.error_rate;
    else if (key == "error_status") merged.error_status = f.error_status;
    else if (key == "throttle_rate") merged.throttle_rate = f.throttle_rate;
    else if (key == "latency_ms") merged.latency_ms = f.latency_ms;
    else if (key == "latency_jitter_ms") merged.latency_jitter_ms = f.latency_jitter_ms;
    else if (key == "lost_rate") merged.lost_rate = f.lost_rate;
    else if (key == "lost_mode") merged.lost_mode = f.lost_mode;
    else if (key == "webhook_duplicate_rate") merged.webhook_duplicate_rate = f.webhook_duplicate_rate;
    else if (key == "webhook_reorder_rate") merged.webhook_reorder_rate = f.webhook_reorder_rate;
    else if (key == "webhook_reorder_window_ms") merged.webhook_reorder_window_ms = f.webhook_reorder_window_ms;
    else if (key == "webhook_delay_ms") merged.webhook_delay_ms = f.webhook_delay_ms;
    else if (key == "webhook_delay_jitter_ms") merged.webhook_delay_jitter_ms = f.webhook_delay_jitter_ms;
    else if (key == "webhook_loss_rate") merged.webhook_loss_rate = f.webhook_loss_rate;
    else if (key == "idempotency_window_s") merged.idempotency_window_s = f.idempotency_window_s;
    else if (key == "negative_sets") merged.negative_sets = f.negative_sets;
    else if (key == "operations") {
      merged.operations.clear();
      std::size_t p = 0;
      while (p <= fault_operations.size()) {
        auto c = fault_operations.find(',', p);
        auto op = fault_operations.substr(p, c == std::string::npos ? std::string::npos : c - p);
        if (!op.empty())
          merged.operations.insert(op);
        if (c == std::string::npos)
          break;
        p = c + 1;
      }
    }
  }
  if (merged.lost_mode != "hang" && merged.lost_mode != "drop") {
    std::cerr << "shopify-sim: --fault-lost-mode must be hang or drop\n";
    return 2;
  }
  if (any)
    opts.faults = merged;

  // SIGTERM/SIGINT end the process at once (exit 0): state is in memory only.
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  std::signal(SIGPIPE, SIG_IGN);

  try {
    simulator sim(std::move(sc), std::move(opts));
    http_server server(sim, address, static_cast<std::uint16_t>(port));
    sim.set_public_url("http://" + address + ":" + std::to_string(server.port()));
    std::thread([set] {
      int sig = 0;
      sigwait(&set, &sig);
      std::fflush(stdout);
      std::fflush(stderr);
      _exit(0);
    }).detach();
    std::printf("listening on %s:%u\n", address.c_str(), static_cast<unsigned>(server.port()));
    std::fflush(stdout);
    server.run();
  } catch (const std::exception& e) {
    std::cerr << "shopify-sim: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
