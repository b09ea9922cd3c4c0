#pragma once
// Every actor interface of shopsyncd, declared in one place: the atoms and the typed actor
// handles. The messages that cross actor boundaries are defined in actors/messages.hpp; this
// header only names them, so a header that holds or passes handles stays light. Actors are thin
// shells around src/domain state machines.
#include "domain/ids.hpp"

#include <caf/atom.hpp>
#include <caf/replies_to.hpp>
#include <caf/typed_actor.hpp>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace shopsync {

// The messages (actors/messages.hpp and the domain and io headers it includes).
struct level_hint;
struct reconcile_hint;
struct webhook_envelope;
struct command;
struct item_layout;
class group_mapping;
struct config;
struct daemon_health;
struct graphql_request;
struct graphql_answer;
struct order_event;
struct write_intent;
struct inventory_write_reply;
struct level_key;
struct level_read_reply;
struct catalog_page_request;
struct catalog_page_reply;
struct locations_reply;
struct store_link_status;
struct bulk_read_request;
struct bulk_read_reply;
struct catalog_row;
struct level_value;

using group_mapping_ptr = std::shared_ptr<const group_mapping>;
// SIGHUP: the configuration reloaded, with the live changes taken over (io/config_reload.hpp).
using config_ptr = std::shared_ptr<const config>;

} // namespace shopsync

namespace shopsync {

// --- atoms (CAF 0.17: at most 10 characters)
using ping_atom = caf::atom_constant<caf::atom("ping")>;
using control_atom = caf::atom_constant<caf::atom("control")>;
using shutdown_atom = caf::atom_constant<caf::atom("shutdown")>;
using execute_atom = caf::atom_constant<caf::atom("execute")>;     // generic GraphQL call
using order_timer_atom = caf::atom_constant<caf::atom("ord_timer")>; // order retry timer fired
using order_retry_atom = caf::atom_constant<caf::atom("ord_retry")>; // shopsyncctl retry
using event_atom = caf::atom_constant<caf::atom("event")>;
using hint_atom = caf::atom_constant<caf::atom("hint")>;
using align_atom = caf::atom_constant<caf::atom("align")>;
using pause_atom = caf::atom_constant<caf::atom("pause")>;
using view_atom = caf::atom_constant<caf::atom("view")>;
using resend_atom = caf::atom_constant<caf::atom("resend")>;
using release_atom = caf::atom_constant<caf::atom("release")>;
using verify_atom = caf::atom_constant<caf::atom("verify")>;
using remap_atom = caf::atom_constant<caf::atom("remap")>;
using mapping_atom = caf::atom_constant<caf::atom("mapping")>;
using resync_atom = caf::atom_constant<caf::atom("resync")>;
using rematch_atom = caf::atom_constant<caf::atom("rematch")>;
using reconcile_atom = caf::atom_constant<caf::atom("reconcile")>;
using passivate_atom = caf::atom_constant<caf::atom("passivate")>; // an idle item actor may stop
using start_atom = caf::atom_constant<caf::atom("start")>;         // router: start more item actors
using order_fed_atom = caf::atom_constant<caf::atom("ord_fed")>;       // order reconciler: a feed taken
using order_recon_atom = caf::atom_constant<caf::atom("ord_recon")>;   // reconcile --orders / import-orders
// To a store link, about its token: "uninstalled" (app/uninstalled arrived) or "token_changed"
// (a new token was stored: probe now).
using link_auth_atom = caf::atom_constant<caf::atom("lnk_auth")>;
using reload_atom = caf::atom_constant<caf::atom("reload")>;     // SIGHUP: new secrets for the token sources
using watchdog_atom = caf::atom_constant<caf::atom("watchdog")>; // the watchdog probe (daemon_health.hpp)
using flush_atom = caf::atom_constant<caf::atom("flush")>;       // router: write the skipped events held (skip_log)
// A group's writes held ("hold": planned or tripped), approved ("approve": sent) or
// discarded ("discard": dropped, levels read again for a new plan). See actors/group_guard.hpp.
using guard_atom = caf::atom_constant<caf::atom("guard")>;
// `shopsyncctl undo --apply`: a delta owed to one level to reverse shopsync's writes.
using undo_atom = caf::atom_constant<caf::atom("undo")>;

// Answers the control socket: (command, JSON args) -> one reply line (control_ok/control_error).
using control_actor =
  caf::typed_actor<caf::replies_to<control_atom, std::string, std::string>::with<std::string>>;

// Owns every other actor; its handle is stable while children are restarted, so the
// control socket talks to it and it delegates.
// Accepted webhooks come here too (from the intake's threads) and go on to the router.
// A subscription keeper asks it for a reconcile round of a group after a gap in a store's
// webhooks (reconcile_atom: inventory; order_recon_atom: that group's orders); it forwards to the
// current router.
using supervisor_actor =
  control_actor::extend<caf::reacts_to<shutdown_atom>, caf::reacts_to<event_atom, std::uint64_t, webhook_envelope>,
                        caf::reacts_to<reconcile_atom, std::string>, caf::reacts_to<order_recon_atom, std::string>,
                        caf::reacts_to<link_auth_atom, std::string, std::string>, // store, what
                        caf::reacts_to<reload_atom, config_ptr>,
                        caf::replies_to<watchdog_atom>::with<daemon_health>>;

// What the order actor needs of a store: run one GraphQL document. The Source's store_link
// implements it (a store_link interface that extends this one converts to it implicitly).
using graphql_executor_actor =
  caf::typed_actor<caf::replies_to<execute_atom, graphql_request>::with<graphql_answer>>;

// One per in-flight Destination order or draft order (key: destination store, kind, id); holds
// the domain order_sync and quits when the order is at rest (created, needs_attention, ...).
// - order_event: a webhook for this document (duplicates are harmless); replies with the
//   order's state after it, so a sender whose actor quit meanwhile gets an error back
//   (request_receiver_down) and spawns it again (order_path does);
// - order_timer_atom, seq: its own retry timer (delayed_send);
// - order_retry_atom: shopsyncctl retry; replies with the order's state after the input
//   ("needs_attention" unchanged means the retry did not apply).
using order_actor = caf::typed_actor<caf::replies_to<order_event>::with<std::string>,
                                     caf::reacts_to<order_timer_atom, std::uint64_t>,
                                     caf::replies_to<order_retry_atom>::with<std::string>>;


// --- store link: the only path from shopsync to a store's Admin API

using inv_write_atom = caf::atom_constant<caf::atom("inv_write")>;
using level_read_atom = caf::atom_constant<caf::atom("lvl_read")>;
using catalog_atom = caf::atom_constant<caf::atom("catalog")>;
using locations_atom = caf::atom_constant<caf::atom("locations")>;
using link_status_atom = caf::atom_constant<caf::atom("lnk_stat")>;
using forget_atom = caf::atom_constant<caf::atom("forget")>;     // inventory items deleted in the store
using bulk_atom = caf::atom_constant<caf::atom("bulk")>;          // a bulk operation
using bulk_rows_atom = caf::atom_constant<caf::atom("bulk_rows")>; // rows of a catalog's bulk read
using bulk_levels_atom = caf::atom_constant<caf::atom("bulk_lvls")>; // levels of a reconcile's bulk read

// One per store. Writes and level reads are queued, coalesced within the batching window and
// sent in batches of up to 250; at most store.max_in_flight requests are in flight; the
// throttle model (in the admin client) gates each request. Every requester is answered.
// Its own timers and the answers of its io threads are internal (actors/store_link.cpp).
using store_link_actor = graphql_executor_actor::extend<
  caf::replies_to<inv_write_atom, write_intent>::with<inventory_write_reply>,
  caf::replies_to<level_read_atom, level_key>::with<level_read_reply>,
  caf::replies_to<catalog_atom, catalog_page_request>::with<catalog_page_reply>,
  caf::replies_to<locations_atom>::with<locations_reply>,
  caf::replies_to<link_status_atom>::with<store_link_status>,
  // Inventory items deleted in the store: their writes still queued or coalescing are dropped
  // (answered INVALID_INVENTORY_ITEM, never sent), and so is every later one.
  caf::reacts_to<forget_atom, std::vector<inventory_item_id>>,
  caf::reacts_to<link_auth_atom, std::string>,
  caf::replies_to<bulk_atom, bulk_read_request>::with<bulk_read_reply>>;
// One per mapped identity of a group: holds its inventory_item_state.
using item_actor = caf::typed_actor<
  caf::reacts_to<hint_atom, level_hint>,
  caf::reacts_to<align_atom>,
  caf::reacts_to<pause_atom, bool>,
  caf::reacts_to<resend_atom, command>,
  caf::reacts_to<release_atom, std::uint64_t>, // its own timer: held sales' grace period is over
  caf::reacts_to<verify_atom>,                 // its own timer: unverified levels are read
  caf::reacts_to<remap_atom, item_layout>,     // the mapping changed this identity's layout
  caf::replies_to<view_atom>::with<std::string>,
  caf::reacts_to<passivate_atom>,  // its own idle timer
  caf::reacts_to<shutdown_atom>,   // the router forgot it: quit (its state is persisted)
  caf::reacts_to<guard_atom, std::string>,  // its group's writes: "hold", "approve", "discard"
  caf::reacts_to<undo_atom, std::string, location_id, std::int64_t, std::string>>; // store, location, delta, cause

// One per sync group: loads every store's catalog and locations through the store links,
// matches them, persists the mapping and publishes it to the router.
using catalog_actor = caf::typed_actor<
  caf::reacts_to<resync_atom>,
  // products/create|update or inventory_items/update of a store: the mapping follows.
  caf::reacts_to<event_atom, store_name, webhook_envelope>,
  caf::reacts_to<rematch_atom>,
  // The mapping's summary and problems, as JSON (`shopsyncctl mappings`).
  caf::replies_to<mapping_atom, bool>::with<std::string>, // problems only?
  // Rows of a store's catalog read through a bulk operation, a chunk at a time (load id, rows).
  caf::reacts_to<bulk_rows_atom, std::uint64_t, std::vector<catalog_row>>>;

// One per sync group: reads every mapped level and feeds it in as a hint (reconcile_hint, to the
// router), so that a lost webhook heals.
using reconciler_actor = caf::typed_actor<
  caf::reacts_to<reconcile_atom, bool>, // true: the periodic timer (re-armed), false: on request
  caf::reacts_to<mapping_atom, group_mapping_ptr>,
  // Levels of a store's bulk read (load id, group store index, levels), a chunk at a time.
  caf::reacts_to<bulk_levels_atom, std::uint64_t, std::size_t, std::vector<level_value>>>;

// One per order or draft_order group (actors/order_reconciler.hpp): lists each Destination's
// recent orders / draft orders and feeds the ones shopsync does not know into the order path.
// - reconcile_atom, periodic: a round (true: its own timer, re-armed);
// - order_fed_atom (store, draft?, id, at, taken?): the order path's answer to one feed;
// - order_recon_atom, args JSON: {"action":"reconcile"} or {"action":"import","since":"<ISO>",
//   "apply":bool} (import-orders; a dry run unless apply) → a control reply line.
using order_reconciler_actor = caf::typed_actor<
  caf::reacts_to<reconcile_atom, bool>,
  caf::reacts_to<order_fed_atom, std::string, bool, std::uint64_t, std::int64_t, bool>,
  caf::replies_to<order_recon_atom, std::string>::with<std::string>>;

// Inbox events in; the right item, order or catalog actor out.
using router_actor = caf::typed_actor<
  caf::reacts_to<event_atom, std::uint64_t, webhook_envelope>,
  caf::reacts_to<mapping_atom, std::string, group_mapping_ptr>,
  caf::reacts_to<align_atom, std::string>, // align every identity of a group
  caf::reacts_to<pause_atom, std::string, bool>,  // group ("" = all), paused
  caf::replies_to<pause_atom>::with<std::vector<std::string>>, // the paused groups (status)
  caf::reacts_to<resync_atom, std::string>,       // group ("" = all)
  caf::reacts_to<reconcile_atom, std::string>,    // group ("" = all)
  // From an idle item actor: (item_state_key, router messages it has handled). Granted (the
  // router forgets it and sends shutdown_atom) only when nothing the router sent is unhandled.
  caf::reacts_to<passivate_atom, std::string, std::uint64_t>,
  caf::reacts_to<start_atom>, // its own: start the next chunk of the item actors a mapping needs
  caf::reacts_to<flush_atom>, // its own: write the skipped events held (actors/skip_log.hpp)
  // A group's writes held, approved or discarded (group, "hold" | "approve" | "discard"): to
  // each of its live item actors (the others learn it from the group guard when they start).
  caf::reacts_to<guard_atom, std::string, std::string>,
  // An undo delta (group, identity, store, location, delta, cause) for the identity's item actor.
  caf::reacts_to<undo_atom, std::string, std::string, std::string, location_id, std::int64_t, std::string>,
  // Control queries, each answered with a full reply line (control_ok / control_error):
  caf::replies_to<view_atom, std::string, std::string>::with<std::string>,  // item (group, identity)
  caf::replies_to<mapping_atom, std::string, bool>::with<std::string>,      // mappings (group, problems only)
  caf::replies_to<order_retry_atom, std::string, std::uint64_t>::with<std::string>,  // retry (store, id)
  caf::replies_to<order_recon_atom, std::string, std::string>::with<std::string>,  // order reconciler (group, args)
  // The watchdog probe: (groups mapped and not paused, groups).
  caf::replies_to<watchdog_atom>::with<std::uint64_t, std::uint64_t>,
  // A reconciler's level read, for the item actor of its (group, identity).
  caf::reacts_to<hint_atom, reconcile_hint>>;

// --- webhook subscriptions and scopes

using subs_check_atom = caf::atom_constant<caf::atom("subs_chk")>;
using scopes_atom = caf::atom_constant<caf::atom("scopes")>;
using webhooks_atom = caf::atom_constant<caf::atom("webhooks")>;

// One per store: keeps its webhook subscriptions as domain/subscription_plan.hpp plans them
// and checks its access scopes (actors/subscription_keeper.hpp).
using subscription_keeper_actor = caf::typed_actor<
  caf::reacts_to<subs_check_atom, bool>, // true: the periodic timer (re-armed), false: once, now
  caf::reacts_to<scopes_atom>,           // app/scopes_update arrived: check the scopes now
  caf::replies_to<webhooks_atom>::with<std::string>>; // wanted vs present, as JSON

} // namespace shopsync
