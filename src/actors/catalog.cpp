#include "actors/catalog.hpp"
#include "actors/guard_control.hpp"
#include "actors/group_guard.hpp"

#include "actors/sync_metrics.hpp"
#include "domain/catalog_deletion.hpp"
#include "io/admin_api.hpp"
#include "io/bulk_download.hpp"
#include "io/graphql_documents.hpp"
#include "io/json_writer.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>
#include <tuple>

namespace shopsync {

namespace {

using self_ptr = catalog_actor::stateful_pointer<catalog_state>;

std::string mapping_key(const std::string& group) { return "group/" + group; }

void load_store(self_ptr self, std::size_t idx);

void fail(self_ptr self, const std::string& what) {
  auto& st = self->state;
  st.loading = false;
  st.last_error = what;
  spdlog::error("catalog group={}: {}; retrying in 30 s", st.group.name, what);
  self->delayed_send(self, std::chrono::seconds(30), resync_atom::value);
}

std::optional<std::string> key_of(const group_config& g, match_key by, std::string_view sku,
                                  std::string_view barcode, std::string_view handle, int position,
                                  const std::vector<std::string_view>& options) {
  return identity_key(by, sku, barcode, handle, position, options.data(), options.size(), g.identifiers);
}

// What the group's filter and allocation rules say of a product.
keyed_catalog::marks marks_of(const catalog_state& st, const std::vector<std::string>& tags, const std::string& vendor,
                              const std::string& product_type) {
  keyed_catalog::marks m;
  m.excluded = !included(st.group.filter, {tags, vendor, product_type});
  m.tag_bits = allocation_tag_bits(st.allocation_tags, tags);
  return m;
}

std::optional<std::uint16_t> store_index(const catalog_state& st, const store_name& store) {
  for (std::size_t i = 0; i < st.stores.size(); ++i)
    if (st.stores[i] == store)
      return static_cast<std::uint16_t>(i);
  return std::nullopt;
}

// After a match the rows live on in the mapping: only those it does not hold (duplicates,
// misses, no identifier) are kept, and `known` is released (~115 MB per million-variant group).
void keep_leftover(catalog_state& st, const group_mapping& m) {
  keyed_catalog left;
  for (auto& r : st.known.rows()) {
    auto i = m.find_variant(st.stores[r.store], r.variant);
    bool held = i && m.key(*i) == st.known.key(r) && m.identities().ref(*i, r.store).item == r.item &&
                m.identities().ref(*i, r.store).product == r.product;
    if (!held)
      left.add(r.store, r.product, r.variant, r.item, st.known.key(r), {r.excluded != 0, r.tag_bits});
  }
  left.shrink_to_fit();
  st.leftover = std::move(left);
  st.known = keyed_catalog{};
  st.known_built = false;
}

// The catalog again (for product webhooks): the mapping's rows and the leftover ones.
void rebuild_known(catalog_state& st) {
  if (st.known_built)
    return;
  keyed_catalog k;
  if (st.current) {
    auto& t = st.current->identities();
    for (std::size_t i = 0; i < t.size(); ++i)
      for (std::size_t s = 0; s < t.store_count(); ++s)
        if (t.has(i, s))
          k.add(static_cast<std::uint16_t>(s), t.ref(i, s).product, t.ref(i, s).variant, t.ref(i, s).item, t.key(i),
                {false, st.current->tag_bits(i)});
  }
  for (auto& r : st.leftover.rows())
    k.add(r.store, r.product, r.variant, r.item, st.leftover.key(r), {r.excluded != 0, r.tag_bits});
  k.sort_unique();
  st.known = std::move(k);
  st.known_built = true;
}

// The identities a resync's mapping remaps or adds (mapping_diff): if their alignment would
// write, the group is planned first (group_guards::realigning).
void note_realigning(const catalog_state& st, const group_mapping& now) {
  if (!st.current || !st.ctx->guards)
    return;
  auto d = now.diff(*st.current);
  if (d.unchanged())
    return;
  std::vector<std::string> changed;
  for (auto i : d.remapped())
    changed.emplace_back(now.key(i));
  for (auto i : d.added())
    changed.emplace_back(now.key(i));
  st.ctx->guards->realigning(st.group.name, changed);
}

// `keep_locations`: match the rows only, with the current mapping's locations (while a load is
// reading them again, st.locations is incomplete). `resync`: the mapping of a full catalog load.
void publish(self_ptr self, bool keep_locations = false, bool resync = false) {
  auto& st = self->state;
  drop_deleted_rows(st.known, st.tombstones, st.stores);
  st.fingerprints = product_fingerprints::of(st.known);
  auto match = match_keyed(st.group.source, st.group.destinations, st.known);
  report_deletions(match, st.tombstones);
  location_mapping locs;
  if (keep_locations && st.current) {
    locs = st.current->locations();
  } else {
    store_locations source;
    std::vector<store_locations> dests;
    for (auto& l : st.locations) {
      if (l.store == st.group.source)
        source = l;
      else
        dests.push_back(l);
    }
    locs = map_locations(source, dests, st.group.locations_by_name, st.group.location_pairs, st.group.location_sums);
  }
  if (st.current && st.current->same_as(match, locs)) {
    // After a full load, once; a re-match after product webhooks (every sale sends one) only at debug.
    spdlog::log(st.loading ? spdlog::level::info : spdlog::level::debug, "catalog group={}: mapping unchanged ({} identities)",
                st.group.name, st.current->size());
    keep_leftover(st, *st.current);
    return; // already persisted and published
  }
  auto m = std::make_shared<const group_mapping>(st.group, std::move(match), std::move(locs));
  keep_leftover(st, *m); // the rows are released before the mapping is encoded
  if (auto w = st.ctx->store->put(column::mapping, mapping_key(st.group.name), m->encode()); !w)
    spdlog::error("catalog group={}: cannot persist the mapping: {}", st.group.name, w.error().message);
  for (auto& p : m->problems())
    spdlog::warn("catalog group={} problem={} key={} store={}", st.group.name, to_string(p.kind), p.key, p.store);
  for (auto& p : m->locations().problems)
    spdlog::warn("catalog group={} location problem={} store={} name={}", st.group.name, to_string(p.kind), p.store,
                 p.name);
  export_mapping_problems(st.ctx->metrics, st.group.name, *m);
  if (resync)
    note_realigning(st, *m); // before any item actor sees the new mapping
  st.current = m;
  self->send(st.router, mapping_atom::value, st.group.name, m);
}

void finish(self_ptr self) {
  auto& st = self->state;
  st.known = std::move(st.rows);
  st.known_built = true;
  st.rows = {};
  st.known.sort_unique();
  st.known.shrink_to_fit();
  publish(self, false, true);
  st.loaded = true;
  st.loading = false;
  st.last_error.clear();
  if (st.again) {
    st.again = false;
    self->send(self, resync_atom::value);
  }
}

// products/delete or inventory_items/delete: the variants leave the mapping at once (published
// now, not after the rematch delay), and their store link drops the writes still waiting for
// them. Whatever the catalog is doing: a load in progress is matched with the tombstones too.
void apply_deletion(self_ptr self, const store_name& store, const webhook_envelope& env) {
  auto& st = self->state;
  auto s = store_index(st, store);
  if (!s)
    return;
  catalog_deletion d;
  d.store = *s;
  if (auto* p = std::get_if<product_deleted>(&env.event))
    d.product = p->id;
  if (auto* i = std::get_if<inventory_item_deleted>(&env.event))
    d.item = i->item;
  rebuild_known(st);
  auto out = take_deleted(st.known, d, st.stores);
  if (d.product)
    st.fingerprints.forget(*s, *d.product);
  if (d.item && out.items.empty())
    out.items.push_back(*d.item); // not in the catalog here, but deleted all the same
  if (!out.items.empty())
    if (auto* link = st.ctx->link(store))
      self->send(*link, forget_atom::value, out.items);
  if (out.tombstones.empty() || !st.current)
    return; // nothing mapped here (a load in progress will not list it)
  merge_tombstones(st.tombstones, out.tombstones);
  for (auto& t : out.tombstones)
    spdlog::warn("catalog group={}: identity {} deleted in {}: unmapped there", st.group.name, t.key, t.store);
  publish(self, st.loading || !st.loaded);
}

// A product webhook's variants as the group keys and marks them, and their digest.
struct product_rows {
  std::vector<std::optional<std::string>> keys; // by variant, as listed
  keyed_catalog::marks marks;
  std::uint64_t digest = 0;
};

product_rows rows_of(const catalog_state& st, const product_changed& p) {
  product_rows out;
  out.marks = marks_of(st, p.tags, p.vendor, p.product_type);
  std::vector<fingerprint_row> fp;
  out.keys.reserve(p.variants.size());
  for (auto& v : p.variants) {
    std::vector<std::string_view> options(v.options.begin(), v.options.end());
    out.keys.push_back(key_of(st.group, st.group.match_by, v.sku, v.barcode, p.handle, v.position, options));
  }
  for (std::size_t i = 0; i < p.variants.size(); ++i)
    fp.push_back({p.variants[i].id, p.variants[i].item,
                  out.keys[i] ? std::optional<std::string_view>(*out.keys[i]) : std::nullopt, out.marks});
  out.digest = product_digest(std::move(fp));
  return out;
}

// A products/update that lists every variant of the product exactly as the catalog holds it
// (a sale's): nothing to apply, nothing to match.
bool unchanged_product(const catalog_state& st, const store_name& store, const webhook_envelope& env) {
  auto* p = std::get_if<product_changed>(&env.event);
  auto s = store_index(st, store);
  if (!p || !s || p->all_variants.size() > p->variants.size())
    return false;
  auto held = st.fingerprints.find(*s, p->id);
  return held && *held == rows_of(st, *p).digest;
}

// Applies a product or SKU webhook to the loaded catalog. False when it cannot (a product
// with more variants than the webhook lists): then the catalog is read again.
bool apply_event(catalog_state& st, const store_name& store, const webhook_envelope& env) {
  auto s = store_index(st, store);
  if (!s)
    return true; // not a store of this group
  if (auto* p = std::get_if<product_changed>(&env.event)) {
    if (p->all_variants.size() > p->variants.size())
      return false;
    rebuild_known(st);
    auto rows = rows_of(st, *p);
    st.known.erase_if([&](const keyed_catalog::row& r) {
      if (r.store == *s && r.product == p->id && *s == 0 && (r.excluded != 0) != rows.marks.excluded)
        st.exclusion_changed = true; // published at once, not after the rematch delay
      return r.store == *s && r.product == p->id;
    });
    for (std::size_t i = 0; i < p->variants.size(); ++i) {
      auto& v = p->variants[i];
      auto& key = rows.keys[i];
      st.known.add(*s, p->id, v.id, v.item, key ? std::optional<std::string_view>(*key) : std::nullopt, rows.marks);
    }
    st.known.sort_unique(); // a variant listed again replaces its old row
    st.fingerprints.set(*s, p->id, rows.digest);
    return true;
  }
  if (auto* i = std::get_if<inventory_item_changed>(&env.event)) {
    if (st.group.match_by != match_key::sku)
      return true; // the SKU is not this group's identifier
    auto key = key_of(st.group, match_key::sku, i->sku, {}, {}, 0, {});
    rebuild_known(st);
    auto& rows = st.known.rows();
    for (std::size_t r = 0; r < rows.size(); ++r)
      if (rows[r].store == *s && rows[r].item == i->item) {
        st.known.set_key(r, key ? std::optional<std::string_view>(*key) : std::nullopt);
        st.fingerprints.forget(*s, rows[r].product);
      }
    return true;
  }
  return true;
}

void add_rows(catalog_state& st, std::size_t idx, const std::vector<catalog_row>& rows) {
  std::vector<std::string_view> options;
  for (auto& row : rows) {
    options.clear();
    for (auto& [name, value] : row.options)
      options.push_back(value);
    auto key = key_of(st.group, st.group.match_by, row.sku, row.barcode, row.handle, row.position, options);
    st.rows.add(static_cast<std::uint16_t>(idx), row.product, row.variant, row.inventory_item,
                key ? std::optional<std::string_view>(*key) : std::nullopt,
                marks_of(st, row.tags, row.vendor, row.product_type));
  }
  st.store_rows += rows.size();
}

void store_loaded(self_ptr self, std::size_t idx) {
  auto& st = self->state;
  st.store_variants[st.stores[idx]] = st.store_rows;
  load_store(self, idx + 1);
}

void load_page(self_ptr self, std::size_t idx, std::string cursor);
void count_then_load(self_ptr self, std::size_t idx);

// A store's catalog through a bulk operation. The file's lines are parsed on the io
// thread into rows, sent here in chunks (bulk_rows_atom); the store is done when the operation
// ended and every row it held arrived. Any failure: the rows of this store are dropped and its
// catalog read page by page.
constexpr std::size_t bulk_chunk_rows = 2000;

struct bulk_sink {
  caf::actor_addr catalog;
  std::uint64_t load = 0;
  std::vector<catalog_row> chunk;
  std::uint64_t rows = 0;
  bulk_bad_lines bad;

  void send() {
    auto strong = caf::actor_cast<caf::strong_actor_ptr>(catalog);
    if (strong && !chunk.empty())
      caf::anon_send(caf::actor_cast<catalog_actor>(strong), bulk_rows_atom::value, load, std::move(chunk));
    chunk = {};
    chunk.reserve(bulk_chunk_rows);
  }
};

void bulk_fallback(self_ptr self, std::size_t idx, const std::string& why) {
  auto& st = self->state;
  ++st.bulk_load; // chunks still on their way are dropped
  st.bulk_expected.reset();
  const auto s = static_cast<std::uint16_t>(idx);
  st.rows.erase_if([s](const keyed_catalog::row& r) { return r.store == s; });
  st.store_rows = 0;
  spdlog::warn("catalog group={}: bulk read of {} failed ({}): reading it page by page", st.group.name,
               st.stores[idx], why);
  load_page(self, idx, "");
}

void bulk_maybe_done(self_ptr self) {
  auto& st = self->state;
  if (!st.bulk_expected || st.bulk_received < *st.bulk_expected)
    return;
  const auto idx = st.bulk_store;
  spdlog::info("catalog group={}: {} read through a bulk operation ({} variants)", st.group.name, st.stores[idx],
               st.bulk_received);
  st.bulk_expected.reset();
  ++st.bulk_load;
  store_loaded(self, idx);
}

void load_bulk(self_ptr self, std::size_t idx) {
  auto& st = self->state;
  auto* link = st.ctx->link(st.stores[idx]);
  const auto load = ++st.bulk_load;
  st.bulk_received = 0;
  st.bulk_expected.reset();
  st.bulk_store = idx;
  auto sink = std::make_shared<bulk_sink>();
  sink->catalog = self->address();
  sink->load = load;
  sink->chunk.reserve(bulk_chunk_rows);
  bulk_read_request req;
  req.query = std::string(graphql::bulk_catalog);
  req.on_line = [sink](std::string_view line) {
    auto row = sink->bad.take(admin_api::parse_catalog_line(line));
    if (!row)
      return;
    ++sink->rows;
    sink->chunk.push_back(std::move(*row));
    if (sink->chunk.size() >= bulk_chunk_rows)
      sink->send();
  };
  req.on_end = [sink] { sink->send(); };
  self->request(*link, caf::infinite, bulk_atom::value, std::move(req))
    .then(
      [self, idx, load, sink](const bulk_read_reply& r) {
        auto& st = self->state;
        if (load != st.bulk_load)
          return;
        if (!r.ok)
          return bulk_fallback(self, idx, r.err.code + ": " + r.err.message);
        if (sink->bad.count)
          return bulk_fallback(self, idx, sink->bad.describe());
        st.bulk_expected = sink->rows;
        bulk_maybe_done(self);
      },
      [self, idx, load](const caf::error& e) {
        if (load == self->state.bulk_load)
          bulk_fallback(self, idx, caf::to_string(e));
      });
}

// Pages, or a bulk operation for a store whose catalog was large when last read.
void load_rows(self_ptr self, std::size_t idx) {
  auto& st = self->state;
  st.store_rows = 0;
  const auto threshold = st.ctx->cfg.daemon.bulk_read_threshold;
  std::uint64_t known = 0;
  if (auto it = st.store_variants.find(st.stores[idx]); it != st.store_variants.end())
    known = it->second;
  else if (st.current)
    known = st.current->size();
  if (threshold > 0 && known >= threshold)
    return load_bulk(self, idx);
  if (threshold > 0 && known == 0 && !st.store_variants.count(st.stores[idx]))
    return count_then_load(self, idx);
  load_page(self, idx, "");
}

// A store read for the first time (its size unknown): productVariantsCount, capped at the
// threshold (one point), says whether the catalog is read in bulk; pages when it cannot say.
void count_then_load(self_ptr self, std::size_t idx) {
  auto& st = self->state;
  const auto threshold = st.ctx->cfg.daemon.bulk_read_threshold;
  graphql_request req;
  req.operation = "ProductVariantsCount";
  req.document = std::string(graphql::product_variants_count);
  req.variables_json = "{\"limit\":" + std::to_string(threshold) + "}";
  self->request(*st.ctx->link(st.stores[idx]), caf::infinite, execute_atom::value, std::move(req))
    .then(
      [self, idx, threshold](const graphql_answer& a) {
        auto& st = self->state;
        auto n = a.ok ? admin_api::parse_variants_count(a.body) : result<std::uint64_t>(a.err);
        if (!n) {
          spdlog::warn("catalog group={}: counting {}'s variants failed ({}): reading it page by page",
                       st.group.name, st.stores[idx], n.error().message);
          return load_page(self, idx, "");
        }
        spdlog::info("catalog group={}: {} holds {}{} variants", st.group.name, st.stores[idx],
                     *n >= threshold ? "at least " : "", *n);
        if (*n >= threshold)
          return load_bulk(self, idx);
        load_page(self, idx, "");
      },
      [self, idx](const caf::error& e) {
        spdlog::warn("catalog group={}: counting {}'s variants failed ({}): reading it page by page",
                     self->state.group.name, self->state.stores[idx], caf::to_string(e));
        load_page(self, idx, "");
      });
}

void load_page(self_ptr self, std::size_t idx, std::string cursor) {
  auto& st = self->state;
  auto* link = st.ctx->link(st.stores[idx]);
  catalog_page_request req;
  if (!cursor.empty())
    req.after = cursor;
  self->request(*link, caf::infinite, catalog_atom::value, req)
    .then(
      [self, idx](const catalog_page_reply& r) {
        auto& st = self->state;
        if (!r.ok) {
          fail(self, "catalog of " + st.stores[idx] + " failed: " + r.err.message);
          return;
        }
        add_rows(st, idx, r.page.rows);
        if (r.page.has_next)
          load_page(self, idx, r.page.end_cursor);
        else
          store_loaded(self, idx);
      },
      [self, idx](const caf::error& e) {
        fail(self, "catalog of " + self->state.stores[idx] + " failed: " + caf::to_string(e));
      });
}

void load_store(self_ptr self, std::size_t idx) {
  auto& st = self->state;
  if (idx == st.stores.size()) {
    finish(self);
    return;
  }
  auto* link = st.ctx->link(st.stores[idx]);
  if (!link) {
    fail(self, "no store link for " + st.stores[idx]);
    return;
  }
  self->request(*link, caf::infinite, locations_atom::value)
    .then(
      [self, idx](const locations_reply& r) {
        auto& st = self->state;
        if (!r.ok) {
          fail(self, "locations of " + st.stores[idx] + " failed: " + r.err.message);
          return;
        }
        store_locations l{st.stores[idx], {}};
        for (auto& row : r.locations)
          st.ctx->locations->learn(st.stores[idx], row.id, row.name);
        for (auto& row : r.locations)
          if (row.active)
            l.locations.push_back({row.id, row.name});
        st.locations.push_back(std::move(l));
        load_rows(self, idx);
      },
      [self, idx](const caf::error& e) {
        fail(self, "locations of " + self->state.stores[idx] + " failed: " + caf::to_string(e));
      });
}

} // namespace

namespace {

std::string location_name(const group_mapping& m, const std::vector<store_locations>& names, const store_name& store,
                          location_id id) {
  for (auto& s : names)
    if (s.store == store)
      for (auto& l : s.locations)
        if (l.id == id)
          return l.name;
  for (auto& slot : m.locations().slots) {
    if (slot.source == id)
      return slot.name;
    for (auto& d : slot.destinations)
      if (d && *d == id)
        return slot.name;
  }
  return std::to_string(id);
}

} // namespace

namespace {

// What `mappings` lists, counted in full (the lists stop at their limit): mapped identities,
// and the problems by kind.
void write_mapping_summary(json_writer& w, const group_mapping& m, const std::vector<unstocked_level>& unstocked) {
  std::map<std::string, std::uint64_t> problems, locations, levels;
  for (auto& p : m.problems())
    problems[to_string(p.kind)]++;
  for (auto& p : m.locations().problems)
    locations[to_string(p.kind)]++;
  for (auto& u : unstocked)
    levels[to_string(u.state)]++;
  auto counts = [&w](const char* key, const std::map<std::string, std::uint64_t>& by_kind) {
    w.key(key).begin_object();
    for (auto& [kind, n] : by_kind)
      w.field(kind, n);
    w.end_object();
  };
  w.key("summary").begin_object().field("mapped", static_cast<std::uint64_t>(m.size()));
  w.field("locations", static_cast<std::uint64_t>(m.locations().slots.size()));
  counts("problems", problems);
  counts("location_problems", locations);
  counts("unstocked", levels);
  w.end_object();
}

// The merchant's controls of a group, as `shopsyncctl mappings` shows them: the identifier
// normalisation, the filter, the allocation rules and the location sums (by name).
void write_controls(json_writer& w, const group_mapping& m, const group_config& g, std::size_t limit) {
  w.key("controls").begin_object();
  w.key("identifiers").begin_object().field("case_fold", g.identifiers.case_fold)
    .field("strip_prefix", g.identifiers.strip_prefix).end_object();
  auto list = [&](const char* k, const std::vector<std::string>& v) {
    w.key(k).begin_array();
    for (auto& s : v)
      w.value(s);
    w.end_array();
  };
  w.key("filter").begin_object();
  list("include_tags", g.filter.include_tags);
  list("exclude_tags", g.filter.exclude_tags);
  list("include_vendors", g.filter.include_vendors);
  list("exclude_vendors", g.filter.exclude_vendors);
  list("include_product_types", g.filter.include_product_types);
  list("exclude_product_types", g.filter.exclude_product_types);
  w.end_object();
  w.key("allocation").begin_array();
  for (auto& a : g.allocation)
    w.begin_object().field("store", a.store).field("tag", a.tag).field("buffer", a.rule.buffer)
      .field("percent", a.rule.percent).end_object();
  w.end_array();
  w.key("location_sums").begin_array();
  for (auto& s : g.location_sums) {
    w.begin_object().field("store", s.store).field("destination", s.destination);
    list("sources", s.sources);
    w.end_object();
  }
  w.end_array();
  w.end_object();
  // Not synced by the group's filter, and not problems.
  w.field("excluded_count", static_cast<std::uint64_t>(m.excluded().size()));
  w.key("excluded").begin_array();
  std::size_t n = 0;
  for (auto& k : m.excluded()) {
    if (limit && n++ >= limit)
      break;
    w.value(k);
  }
  w.end_array();
}

} // namespace

std::string mapping_json(const group_mapping& m, bool problems_only, std::size_t limit,
                         const std::vector<unstocked_level>& unstocked, const std::vector<store_locations>& names,
                         const group_config* group) {
  json_writer w;
  w.begin_object().field("group", m.group()).field("mode", to_string(m.mode()));
  w.field("identities", static_cast<std::uint64_t>(m.size()));
  w.field("problem_count", static_cast<std::uint64_t>(m.problems().size()));
  write_mapping_summary(w, m, unstocked);
  w.key("problems").begin_array();
  std::size_t n = 0;
  for (auto& p : m.problems()) {
    if (limit && n++ >= limit)
      break;
    w.begin_object().field("kind", to_string(p.kind)).field("identity", p.key).field("store", p.store);
    w.key("variants").begin_array();
    for (auto v : p.variants)
      w.value(static_cast<std::uint64_t>(v));
    w.end_array().end_object();
  }
  w.end_array();
  w.key("locations").begin_array();
  for (auto& s : m.locations().slots) {
    w.begin_object().field("location", s.name).field("source", static_cast<std::uint64_t>(s.source));
    w.key("destinations").begin_array();
    for (auto& d : s.destinations)
      w.value(d ? std::optional<std::uint64_t>(*d) : std::nullopt);
    w.end_array().end_object();
  }
  w.end_array();
  w.key("location_problems").begin_array();
  for (auto& p : m.locations().problems)
    w.begin_object().field("kind", to_string(p.kind)).field("error", p.error).field("store", p.store)
      .field("location", p.name).end_object();
  w.end_array();
  // Not synced there until the merchant stocks the item (inventory_levels/connect) or the group
  // sets stock_unstocked.
  w.field("unstocked_count", static_cast<std::uint64_t>(unstocked.size()));
  w.key("unstocked").begin_array();
  n = 0;
  for (auto& u : unstocked) {
    if (limit && n++ >= limit)
      break;
    w.begin_object().field("identity", u.identity).field("store", u.store)
      .field("location", location_name(m, names, u.store, u.location))
      .field("location_id", static_cast<std::uint64_t>(u.location)).field("state", to_string(u.state)).end_object();
  }
  w.end_array();
  if (group)
    write_controls(w, m, *group, limit);
  if (!problems_only) {
    w.key("mapped").begin_array();
    n = 0;
    auto& t = m.identities();
    for (std::size_t i = 0; i < t.size(); ++i) {
      if (limit && n++ >= limit)
        break;
      w.begin_object().field("identity", std::string(t.key(i))).key("stores").begin_array();
      for (std::size_t s = 0; s < t.store_count(); ++s)
        if (t.has(i, s))
          w.begin_object().field("store", t.stores()[s]).field("variant", static_cast<std::uint64_t>(t.ref(i, s).variant))
            .field("inventory_item", static_cast<std::uint64_t>(t.ref(i, s).item)).end_object();
      w.end_array().end_object();
    }
    w.end_array();
  }
  w.end_object();
  return std::move(w).str();
}

catalog_actor::behavior_type catalog(catalog_actor::stateful_pointer<catalog_state> self, const sync_context* ctx,
                                     group_config group, router_actor router) {
  auto& st = self->state;
  st.ctx = ctx;
  st.group = std::move(group);
  st.router = std::move(router);
  st.stores.push_back(st.group.source);
  for (auto& d : st.group.destinations)
    st.stores.push_back(d);
  st.allocation_tags = allocation_tags(st.group.allocation);
  // The persisted mapping makes the group ready at once; the catalogs are then read again.
  auto t0 = std::chrono::steady_clock::now();
  if (auto stored = ctx->store->get(column::mapping, mapping_key(st.group.name)); stored && *stored) {
    auto t1 = std::chrono::steady_clock::now();
    if (auto m = group_mapping::decode(st.group, **stored); m) {
      st.current = std::make_shared<const group_mapping>(std::move(*m));
      for (auto& slot : st.current->locations().slots) // until the stores' locations are read
        ctx->locations->learn(st.group.source, slot.source, slot.name, false);
      for (auto& p : st.current->problems())
        if (p.kind == match_problem_kind::deleted)
          st.tombstones.push_back(p);
      export_mapping_problems(ctx->metrics, st.group.name, *st.current);
      self->send(st.router, mapping_atom::value, st.group.name, st.current);
      auto ms = [](auto a, auto b) { return std::chrono::duration_cast<std::chrono::milliseconds>(b - a).count(); };
      spdlog::info("catalog group={}: persisted mapping loaded ({} identities, {} bytes read in {} ms, decoded in {} ms)",
                   st.group.name, st.current->size(), (*stored)->size(), ms(t0, t1),
                   ms(t1, std::chrono::steady_clock::now()));
    } else {
      spdlog::warn("catalog group={}: {}", st.group.name, m.error().message);
    }
  }
  // With a persisted mapping the daemon is ready: the catalogs are read again in the background.
  self->send(self, resync_atom::value);
  return {
    [self](resync_atom) {
      auto& st = self->state;
      if (st.loading) {
        st.again = true;
        return;
      }
      st.loading = true;
      st.rows.clear();
      st.locations.clear();
      spdlog::info("catalog group={}: loading {} stores", st.group.name, st.stores.size());
      load_store(self, 0);
    },
    [self](event_atom, const store_name& store, const webhook_envelope& env) {
      auto& st = self->state;
      if (std::holds_alternative<product_deleted>(env.event) ||
          std::holds_alternative<inventory_item_deleted>(env.event)) {
        apply_deletion(self, store, env);
        return;
      }
      if (unchanged_product(st, store, env)) {
        note_product_webhook(st.ctx->metrics, st.group.name, false);
        return;
      }
      if (std::holds_alternative<product_changed>(env.event))
        note_product_webhook(st.ctx->metrics, st.group.name, true);
      if (st.loading) {
        st.again = true; // the load in progress may predate this change
        return;
      }
      if (!st.loaded) { // running on the persisted mapping: the rows are read first
        self->send(self, resync_atom::value);
        return;
      }
      if (!apply_event(st, store, env)) {
        self->send(self, resync_atom::value);
        return;
      }
      // A product that becomes excluded (or included) by the group's filter changes at once.
      if (st.exclusion_changed) {
        st.exclusion_changed = false;
        publish(self);
        return;
      }
      // Several product webhooks often come together: match once for all of them.
      if (!st.rematch_scheduled) {
        st.rematch_scheduled = true;
        self->delayed_send(self, std::chrono::milliseconds(500), rematch_atom::value);
      }
    },
    [self](rematch_atom) {
      auto& st = self->state;
      st.rematch_scheduled = false;
      // Nothing to match when a load finished meanwhile (it matched and released the rows).
      if (!st.loading && st.known_built)
        publish(self);
    },
    [self](bulk_rows_atom, std::uint64_t load, std::vector<catalog_row>& rows) {
      auto& st = self->state;
      if (load != st.bulk_load)
        return; // an abandoned bulk read
      add_rows(st, st.bulk_store, rows);
      st.bulk_received += rows.size();
      bulk_maybe_done(self);
    },
    [self](mapping_atom, bool problems_only) -> std::string {
      auto& st = self->state;
      if (!st.current)
        return "null";
      return with_two_writers(
        mapping_json(*st.current, problems_only, 1000, st.ctx->stocking->of(st.group.name), st.locations, &st.group),
        *st.ctx, st.group.name);
    },
  };
}

} // namespace shopsync
