// shopsyncd: parse flags, load and validate the configuration, open the state store, start
// the actor system, the control socket and the webhook intake, then wait for SIGTERM/SIGINT
// and shut down in order: stop intake, drain actors, flush, close.
#include "actors/group_guard.hpp"
#include "actors/order_retention.hpp"
#include "actors/actor_config.hpp"
#include "actors/supervisor.hpp"
#include "io/audit_log.hpp"
#include "io/config_file.hpp"
#include "io/doctor_probe.hpp"
#include "io/inbox.hpp"
#include "io/io_threads.hpp"
#include "io/metrics.hpp"
#include "io/oauth_callback.hpp"
#include "io/webhook_server.hpp"
#include "io/control_protocol.hpp"
#include "io/control_server.hpp"
#include "io/logging.hpp"
#include "io/state_store.hpp"
#include "io/systemd_notify.hpp"

#include <CLI/CLI.hpp>
#include <caf/all.hpp>
#include <spdlog/spdlog.h>

#include <csignal>
#include <cstdio>
#include <filesystem>
#include <unistd.h>

#ifndef SHOPSYNC_VERSION
#define SHOPSYNC_VERSION "0.0.0"
#endif

using namespace shopsync;

namespace {

struct flags {
  std::string config_path = "/etc/shopsync/shopsync.toml";
  std::string data_dir;
  std::string log_level;
  std::string control_socket;
  bool check_config = false;
  bool online = false;
};

int fail(const std::string& message) {
  std::fprintf(stderr, "shopsyncd: %s\n", message.c_str());
  return 1;
}

// Blocks the termination signals in every thread started after this, so sigwait() in main
// is the only place they are received.
sigset_t block_termination_signals() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  return set;
}

} // namespace

int main(int argc, char** argv) {
  flags f;
  CLI::App app{"shopsyncd: keeps Shopify stores in step"};
  app.add_option("-c,--config", f.config_path, "configuration file (TOML)");
  app.add_option("--data-dir", f.data_dir, "state directory (overrides daemon.data_dir)");
  app.add_option("--log-level", f.log_level, "trace|debug|info|warn|error|critical|off (overrides daemon.log_level)");
  app.add_option("--control-socket", f.control_socket, "control socket path (overrides daemon.control_socket)");
  app.add_flag("--check-config", f.check_config, "validate the configuration and exit 0 (valid) or 1");
  app.add_flag("--online", f.online,
               "with --check-config: also ask every store (reachable, token, API version, scopes, locations, "
               "webhook subscriptions, public URL), one line per check; exit 1 when one fails");
  app.set_version_flag("--version", SHOPSYNC_VERSION);
  CLI11_PARSE(app, argc, argv);

  auto loaded = load_config(f.config_path);
  if (!loaded)
    return fail(loaded.error().message);
  config cfg = std::move(*loaded);
  if (!f.data_dir.empty())
    cfg.daemon.data_dir = f.data_dir;
  if (!f.log_level.empty())
    cfg.daemon.log_level = f.log_level;
  if (!f.control_socket.empty())
    cfg.daemon.control_socket = f.control_socket;
  if (auto st = validate(cfg); !st)
    return fail(st.error().message);
  if (f.check_config) {
    std::printf("shopsyncd: configuration %s is valid (%zu stores, %zu groups)\n", f.config_path.c_str(),
                cfg.stores.size(), cfg.groups.size());
    if (!f.online)
      return 0;
    auto lines = doctor_report(cfg, probe_stores(cfg), false);
    std::fputs(render_doctor(lines).c_str(), stdout);
    return doctor_passed(lines) ? 0 : 1;
  }
  if (auto st = setup_logging(cfg.daemon.log_level); !st)
    return fail(st.error().message);

  auto signals = block_termination_signals();

  std::error_code ec;
  std::filesystem::create_directories(cfg.daemon.data_dir, ec);
  if (ec)
    return fail("cannot create data dir " + cfg.daemon.data_dir + ": " + ec.message());
  auto store = state_store::open({cfg.daemon.data_dir + "/state", cfg.daemon.sync_writes, true});
  if (!store)
    return fail(store.error().message);
  spdlog::info("shopsyncd {} starting: data_dir={} stores={} groups={}", SHOPSYNC_VERSION,
               cfg.daemon.data_dir, cfg.stores.size(), cfg.groups.size());

  auto in = inbox::open(**store, {cfg.daemon.dedup_retention, cfg.daemon.inbox_retention, 100000, {}});
  if (!in)
    return fail(in.error().message);
  audit_log audit{**store};
  metrics_registry metrics;
  io_threads admin_io{cfg.daemon.io_threads};

  sync_context ctx;
  ctx.cfg = cfg;
  ctx.store = store->get();
  ctx.audit = &audit;
  ctx.metrics = &metrics;
  ctx.guards = std::make_shared<group_guards>(cfg, store->get(), &metrics); // issue 19
  ctx.mark_applied = [&in](state_store::batch& b, std::uint64_t seq) {
    if (auto st = (*in)->mark_applied(b, seq, std::chrono::system_clock::now()); !st)
      spdlog::error("inbox: cannot mark entry {} applied: {}", seq, st.error().message);
  };

  actor_config sys_cfg{cfg.daemon.scheduler_threads};
  caf::actor_system system{sys_cfg};
  daemon_facts facts{SHOPSYNC_VERSION, std::chrono::system_clock::now(), cfg};
  auto depth = [&in] { return (*in)->depth(); };
  auto sup = system.spawn(supervisor, supervisor_env{facts, &ctx, &admin_io.context(), depth});

  // Entries accepted before a stop and not yet applied: the router gets them first (it keeps
  // them until every group's mapping is loaded).
  if (auto pending = (*in)->pending(); !pending) {
    spdlog::error("inbox: cannot read pending entries: {}", pending.error().message);
  } else {
    if (!pending->empty())
      spdlog::info("inbox: replaying {} entries accepted before the last stop", pending->size());
    for (auto& e : *pending)
      caf::anon_send(sup, event_atom::value, e.seq, std::move(e.envelope));
  }

  // Control socket → supervisor; each request gets a one-shot actor that posts the reply back.
  auto control = control_server::start(
    {cfg.daemon.control_socket, cfg.daemon.control_allowed_uids, 0660},
    [&system, sup](control_request req, control_server::reply_fn reply) {
      system.spawn([sup, req = std::move(req), reply = std::move(reply)](caf::event_based_actor* self) {
        self->request(sup, std::chrono::seconds(60), control_atom::value, req.cmd, req.args_json)
          .then([reply](const std::string& line) { reply(line); },
                [reply](const caf::error& err) {
                  reply(control_error("internal", "request failed: " + caf::to_string(err)));
                });
      });
    });
  if (!control) {
    caf::anon_send(sup, shutdown_atom::value);
    system.await_all_actors_done();
    return fail(control.error().message);
  }
  spdlog::info("control socket listening on {}", cfg.daemon.control_socket);

  // Webhooks: verified, durable in the inbox, then handed to the router through the supervisor.
  // The authorization code grant's callback: a new offline token makes the store's link probe at once.
  oauth_callback oauth{cfg, **store, admin_io.context(), [sup](const std::string& name) {
                         caf::anon_send(sup, link_auth_atom::value, name, std::string("token_changed"));
                       }};
  auto intake_opts = webhook_server::options_from(cfg);
  intake_opts.oauth_callback = [&oauth](std::string query, std::function<void(int, std::string)> reply) {
    oauth.handle(query, std::move(reply));
  };
  webhook_server intake{std::move(intake_opts), **in, metrics,
                        [sup](std::uint64_t seq, webhook_envelope env) {
                          caf::anon_send(sup, event_atom::value, seq, std::move(env));
                        }};
  auto port = intake.start();
  if (!port) {
    (*control)->stop();
    caf::anon_send(sup, shutdown_atom::value);
    system.await_all_actors_done();
    return fail(port.error().message);
  }
  intake.set_ready(true);
  spdlog::info("webhooks: listening on {}:{}", cfg.daemon.listen_address, *port);

  notify_ready();
  spdlog::info("shopsyncd ready");

  // Wait for SIGTERM/SIGINT; meanwhile purge what is past its retention window.
  auto maintain = [&] {
    auto now = std::chrono::system_clock::now();
    if (auto n = (*in)->purge(now); !n)
      spdlog::warn("inbox purge failed: {}", n.error().message);
    if (auto n = audit.purge(now - cfg.daemon.audit_retention); !n)
      spdlog::warn("audit purge failed: {}", n.error().message);
    if (auto n = purge_skipped_orders(**store, now - std::max(cfg.daemon.audit_retention, cfg.daemon.dedup_retention)); !n)
      spdlog::warn("skipped order purge failed: {}", n.error().message);
  };
  maintain();
  int sig = 0;
  for (;;) {
    timespec wait{600, 0};
    sig = sigtimedwait(&signals, nullptr, &wait);
    if (sig == SIGTERM || sig == SIGINT)
      break;
    maintain();
  }
  spdlog::info("received {}, shutting down", sig == SIGTERM ? "SIGTERM" : "SIGINT");
  notify_stopping();

  intake.set_ready(false);
  intake.stop();       // no new webhooks; the ones in flight finish and are stored
  (*control)->stop();  // no new requests; the socket file is removed
  caf::anon_send(sup, shutdown_atom::value);
  system.await_all_actors_done();
  admin_io.stop();
  (*in)->stop();
  if (auto st = (*store)->flush(); !st)
    spdlog::error("flush at shutdown failed: {}", st.error().message);
  spdlog::info("shopsyncd stopped");
  return 0;
}
