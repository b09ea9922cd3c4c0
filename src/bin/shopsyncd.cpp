// shopsyncd: parse flags, load and validate the configuration, open the state store, start
// the actor system, the control socket and the webhook intake, then wait for SIGTERM/SIGINT
// and shut down in order: stop intake, drain actors, flush, close. Meanwhile: SIGHUP reloads
// what can change live (io/config_reload.hpp), and a probe through the actors feeds systemd's
// watchdog and STATUS= line. --restore-from restores a backup (io/backup.hpp) and exits.
#include "actors/group_guard.hpp"
#include "actors/messages.hpp"
#include "actors/order_retention.hpp"
#include "actors/actor_config.hpp"
#include "actors/supervisor.hpp"
#include "actors/sync_metrics.hpp"
#include "io/audit_log.hpp"
#include "io/backup.hpp"
#include "io/config_file.hpp"
#include "io/config_reload.hpp"
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

#include <algorithm>
#include <atomic>
#include <csignal>
#include <cstdio>
#include <cstdlib>
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
  std::string credentials_dir;
  std::string restore_from;
  bool force = false;
};

// The command line wins over the file, at start and at every reload.
void apply_overrides(config& cfg, const flags& f) {
  if (!f.data_dir.empty())
    cfg.daemon.data_dir = f.data_dir;
  if (!f.log_level.empty())
    cfg.daemon.log_level = f.log_level;
  if (!f.control_socket.empty())
    cfg.daemon.control_socket = f.control_socket;
}

int fail(const std::string& message) {
  std::fprintf(stderr, "shopsyncd: %s\n", message.c_str());
  return 1;
}

// Blocks the termination signals and SIGHUP in every thread started after this, so sigwait()
// in main is the only place they are received.
sigset_t block_termination_signals() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGHUP);
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
  auto* check_flag =
    app.add_flag("--check-config", f.check_config, "validate the configuration and exit 0 (valid) or 1");
  app.add_flag("--online", f.online,
               "with --check-config: also ask every store (reachable, token, API version, scopes, locations, "
               "webhook subscriptions, public URL), one line per check; exit 1 when one fails");
  app.add_option("--credentials-dir", f.credentials_dir,
                 "with --check-config: read relative secret paths from this directory, as the unit reads "
                 "them from $CREDENTIALS_DIRECTORY (LoadCredential=NAME:DIR/NAME)")
    ->check(CLI::ExistingDirectory)
    ->needs(check_flag);
  app.add_option("--restore-from", f.restore_from,
                 "restore the backup in this directory (written by `shopsyncctl backup`) into the data dir "
                 "(--data-dir, else the configuration's daemon.data_dir), then exit; refused when the data "
                 "dir holds data, unless --force");
  app.add_flag("--force", f.force, "with --restore-from: move the data dir's current data aside first");
  app.set_version_flag("--version", SHOPSYNC_VERSION);
  CLI11_PARSE(app, argc, argv);
  // The unit's layout checked by hand: secrets resolve exactly as under systemd (config_file.hpp).
  if (!f.credentials_dir.empty()) {
    std::error_code ec;
    auto dir = std::filesystem::absolute(f.credentials_dir, ec);
    ::setenv("CREDENTIALS_DIRECTORY", (ec ? std::filesystem::path(f.credentials_dir) : dir).c_str(), 1);
  }

  // A restore needs only the data dir: with --data-dir the configuration (and its secrets, which
  // live in $CREDENTIALS_DIRECTORY under systemd) is not read at all.
  if (!f.restore_from.empty()) {
    std::string data_dir = f.data_dir;
    if (data_dir.empty()) {
      auto c = load_config(f.config_path);
      if (!c)
        return fail(c.error().message + " (give --data-dir to restore without reading the configuration)");
      data_dir = c->daemon.data_dir;
    }
    auto done = restore_backup(f.restore_from, data_dir, f.force, std::chrono::system_clock::now());
    if (!done)
      return fail(done.error().message);
    std::printf("shopsyncd: %s\n", done->c_str());
    return 0;
  }

  auto loaded = load_config_snapshot(f.config_path);
  if (!loaded)
    return fail(loaded.error().message);
  config_snapshot running = std::move(*loaded);
  apply_overrides(running.cfg, f);
  config cfg = running.cfg;
  if (auto st = validate(cfg); !st)
    return fail(st.error().message);

  if (f.check_config) {
    std::printf("shopsyncd: configuration %s is valid (%zu stores, %zu groups)\n", f.config_path.c_str(),
                cfg.stores.size(), cfg.groups.size());
    if (const char* creds = std::getenv("CREDENTIALS_DIRECTORY"); creds && *creds)
      std::printf("shopsyncd: relative secret paths read from %s\n", creds);
    if (!f.online)
      return 0;
    auto lines = doctor_report(cfg, probe_stores(cfg), false);
    std::fputs(render_doctor(lines).c_str(), stdout);
    return doctor_passed(lines) ? 0 : 1;
  }
  if (auto st = setup_logging(cfg.daemon.log_level); !st)
    return fail(st.error().message);

  auto signals = block_termination_signals();

  if (auto st = check_live_data_dir(cfg.daemon.data_dir); !st)
    return fail(st.error().message);
  std::error_code ec;
  std::filesystem::create_directories(cfg.daemon.data_dir, ec);
  if (ec)
    return fail("cannot create data dir " + cfg.daemon.data_dir + ": " + ec.message());
  auto store = state_store::open({cfg.daemon.data_dir + "/state", cfg.daemon.sync_writes, true});
  if (!store)
    return fail(store.error().message);
  spdlog::info("shopsyncd {} starting: data_dir={} stores={} groups={}", SHOPSYNC_VERSION,
               cfg.daemon.data_dir, cfg.stores.size(), cfg.groups.size());

  metrics_registry metrics; // before the inbox: it registers its histograms here
  inbox::options inbox_opts{cfg.daemon.dedup_retention, cfg.daemon.inbox_retention, 100000, {}};
  inbox_opts.metrics = &metrics;
  auto in = inbox::open(**store, std::move(inbox_opts));
  if (!in)
    return fail(in.error().message);
  audit_log audit{**store};
  io_threads admin_io{cfg.daemon.io_threads};

  sync_context ctx;
  ctx.cfg = cfg;
  ctx.store = store->get();
  ctx.audit = &audit;
  ctx.metrics = &metrics;
  export_at_scrape(metrics, ctx);
  ctx.guards = std::make_shared<group_guards>(cfg, store->get(), &metrics);
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
  intake_opts.health_problems = [health = ctx.health] { return health->problems(); };
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
    if (auto n = audit.purge(now - running.cfg.daemon.audit_retention); !n)
      spdlog::warn("audit purge failed: {}", n.error().message);
    if (auto n = purge_skipped_orders(**store, now - std::max(cfg.daemon.audit_retention, cfg.daemon.dedup_retention)); !n)
      spdlog::warn("skipped order purge failed: {}", n.error().message);
  };

  // SIGHUP: read the file again; take on what can change live, name what needs a restart.
  auto reload = [&] {
    notify_reloading();
    spdlog::info("SIGHUP: reading {} again", f.config_path);
    auto next = load_config_snapshot(f.config_path);
    if (next) {
      apply_overrides(next->cfg, f);
      if (auto st = validate(next->cfg); !st)
        next = st.error();
    }
    if (!next) {
      spdlog::error("reload refused, still running on the previous configuration: {}", next.error().message);
      notify_ready();
      return;
    }
    auto plan = plan_reload(running, *next);
    const auto& now_cfg = next->cfg;
    if (now_cfg.daemon.log_level != running.cfg.daemon.log_level)
      if (auto st = set_log_level(now_cfg.daemon.log_level); !st)
        spdlog::error("reload: log level: {}", st.error().message);
    if (now_cfg.daemon.webhook_secrets != running.cfg.daemon.webhook_secrets)
      intake.set_secrets(now_cfg.daemon.webhook_secrets);
    oauth.set_client_secrets(now_cfg);
    running.cfg = apply_live(std::move(running.cfg), now_cfg);
    caf::anon_send(sup, reload_atom::value, std::make_shared<const config>(running.cfg));
    spdlog::info("reload: applied: {}; needs a restart (not applied, the old values stay in force): {}",
                 plan.live.empty() ? "nothing" : join_keys(plan.live),
                 plan.restart.empty() ? "nothing" : join_keys(plan.restart));
    if (std::getenv("CREDENTIALS_DIRECTORY"))
      spdlog::info("reload: secrets named relative to $CREDENTIALS_DIRECTORY were read from the copies systemd made "
                   "at start (LoadCredential=): one replaced at its source needs a restart");
    for (auto& key : plan.restart)
      if (key == "groups")
        spdlog::warn("reload: the sync groups changed; they are not changed live: shopsyncd keeps syncing the "
                     "groups it started with until it is restarted (systemctl restart shopsyncd)");
    notify_ready();
  };

  // Watchdog and STATUS=: a probe through the supervisor, the router and every store link; only
  // its answer sends WATCHDOG=1, so a stuck actor system stops the pings and systemd restarts us.
  auto watchdog = watchdog_interval();
  auto probe_every = watchdog.count() > 0
                       ? std::max(std::chrono::milliseconds(50),
                                  std::chrono::duration_cast<std::chrono::milliseconds>(watchdog) / 2)
                       : std::chrono::milliseconds(30'000);
  if (watchdog.count() > 0)
    spdlog::info("watchdog: WatchdogSec={} ms, the actors are probed every {} ms",
                 std::chrono::duration_cast<std::chrono::milliseconds>(watchdog).count(), probe_every.count());
  auto answering = std::make_shared<std::atomic<bool>>(true);
  inbox* inbox_ptr = in->get();
  bool feed_watchdog = watchdog.count() > 0;
  auto probe = [&system, sup, probe_every, answering, inbox_ptr, feed_watchdog] {
    system.spawn([=](caf::event_based_actor* self) {
      // At shutdown the supervisor quits with the probe unanswered: leave with it, so that
      // await_all_actors_done() does not wait for the probe's timeout.
      self->monitor(sup);
      self->set_down_handler([self](caf::down_msg&) { self->quit(); });
      self->request(sup, std::min(probe_every, std::chrono::milliseconds(10'000)), watchdog_atom::value)
        .then(
          [=](const daemon_health& h) {
            if (feed_watchdog)
              notify_watchdog();
            notify_status(status_line(h, inbox_ptr->depth()));
            if (!answering->exchange(true))
              spdlog::info("watchdog: the actors answer again");
          },
          [=](const caf::error& e) {
            if (answering->exchange(false))
              spdlog::error("watchdog: the actors did not answer a probe within {} ms ({}){}", probe_every.count(),
                            caf::to_string(e),
                            feed_watchdog ? ": WATCHDOG=1 withheld, systemd restarts shopsyncd if this lasts" : "");
          });
    });
  };

  maintain();
  using steady = std::chrono::steady_clock;
  auto next_maintain = steady::now() + std::chrono::seconds(600);
  auto next_probe = steady::now();
  int sig = 0;
  for (;;) {
    auto now = steady::now();
    if (now >= next_probe) {
      probe();
      next_probe = now + probe_every;
    }
    if (now >= next_maintain) {
      maintain();
      next_maintain = now + std::chrono::seconds(600);
    }
    auto wait_ns = std::chrono::duration_cast<std::chrono::nanoseconds>(std::min(next_probe, next_maintain) - steady::now());
    wait_ns = std::max(wait_ns, std::chrono::nanoseconds(1'000'000));
    timespec wait{static_cast<time_t>(wait_ns.count() / 1'000'000'000), static_cast<long>(wait_ns.count() % 1'000'000'000)};
    sig = sigtimedwait(&signals, nullptr, &wait);
    if (sig == SIGTERM || sig == SIGINT)
      break;
    if (sig == SIGHUP)
      reload();
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
