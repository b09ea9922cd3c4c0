#include "domain/order_reconcile.hpp"

#include <algorithm>
#include <sstream>

namespace shopsync {

reconcile_output order_reconcile::start(std::int64_t now) {
  reconcile_output out;
  if (started_)
    return out;
  started_ = true;
  floor_ = watermark_ = now;
  out.persist = true;
  return out;
}

std::int64_t order_reconcile::next_since() const {
  return std::max(floor_, watermark_ - opts_.overlap_s);
}

reconcile_output order_reconcile::begin(std::int64_t now, std::optional<std::int64_t> since, bool dry_run) {
  reconcile_output out;
  if (!started_ || round_)
    return out;
  round_state r;
  r.now = now;
  r.dry_run = dry_run;
  r.since = dry_run && since ? *since : next_since();
  round_ = std::move(r);
  out.query = reconcile_query{round_->since, "", opts_.page_size};
  return out;
}

void order_reconcile::block(std::int64_t at) {
  if (!round_->blocked || at < *round_->blocked)
    round_->blocked = at;
}

reconcile_output order_reconcile::page(const std::vector<listed_document>& docs, bool has_next,
                                       std::string_view end_cursor) {
  reconcile_output out;
  if (!round_ || round_->listing_over)
    return out;
  auto& r = *round_;
  const std::int64_t young = r.now - opts_.grace_s;
  for (const auto& d : docs) {
    if (d.known || d.at < r.since)
      continue;
    if (auto f = fed_.find(d.id); f != fed_.end() && f->second >= d.at)
      continue;
    if (auto p = r.pending.find(d.id); p != r.pending.end() && p->second >= d.at)
      continue; // listed twice in one round (a page asked again)
    if (r.dry_run) {
      ++r.would_feed;
      continue;
    }
    if (d.at > young) {
      block(d.at); // its webhook may still be on its way: next round
      continue;
    }
    r.pending[d.id] = d.at;
    out.feed.push_back(d);
  }
  if (has_next && !end_cursor.empty()) {
    out.query = reconcile_query{r.since, std::string(end_cursor), opts_.page_size};
    return out;
  }
  r.listing_over = true;
  auto end = finish_if_done();
  end.feed = std::move(out.feed);
  return end;
}

reconcile_output order_reconcile::fed(shopify_id id, std::int64_t at, bool ok) {
  if (!round_)
    return {};
  auto& r = *round_;
  auto p = r.pending.find(id);
  if (p == r.pending.end() || p->second != at)
    return {}; // not this round's feed (a late acknowledgement)
  r.pending.erase(p);
  if (ok) {
    auto& f = fed_[id];
    f = std::max(f, at);
  } else {
    block(at);
  }
  return finish_if_done();
}

reconcile_output order_reconcile::abort() {
  if (!round_)
    return {};
  round_->listing_over = true;
  round_->aborted = true;
  return finish_if_done();
}

reconcile_output order_reconcile::finish_if_done() {
  reconcile_output out;
  auto& r = *round_;
  if (!r.listing_over || !r.pending.empty())
    return out;
  out.done = true;
  out.would_feed = r.would_feed;
  if (!r.dry_run) {
    if (!r.aborted) {
      // Everything listed up to the round's start minus the grace was fed or known.
      // A document left unfed holds the watermark at its time, even back into the overlap.
      auto wm = std::max(watermark_, r.now - opts_.grace_s);
      if (r.blocked)
        wm = std::min(wm, *r.blocked);
      watermark_ = std::max(wm, floor_);
    }
    const auto keep_from = watermark_ - opts_.overlap_s;
    for (auto it = fed_.begin(); it != fed_.end();)
      it = it->second < std::max(keep_from, floor_) ? fed_.erase(it) : std::next(it);
    out.persist = true;
  }
  round_.reset();
  return out;
}

reconcile_output order_reconcile::import_since(std::int64_t since) {
  reconcile_output out;
  if (!started_)
    start(since);
  floor_ = std::min(floor_, since);
  watermark_ = std::min(watermark_, since);
  out.persist = true;
  return out;
}

// "orecon1 <floor> <watermark> <n> <id>:<at> ..."
std::string order_reconcile::encode() const {
  std::ostringstream o;
  o << "orecon1 " << floor_ << ' ' << watermark_ << ' ' << fed_.size();
  for (auto& [id, at] : fed_)
    o << ' ' << id << ':' << at;
  return o.str();
}

result<order_reconcile> order_reconcile::decode(std::string_view encoded, order_reconcile_options opts) {
  std::istringstream in{std::string(encoded)};
  std::string tag;
  order_reconcile m(opts);
  std::size_t n = 0;
  if (!(in >> tag >> m.floor_ >> m.watermark_ >> n) || tag != "orecon1")
    return error{error_kind::order_reconcile_decode, "not an order reconciler state: " + std::string(encoded.substr(0, 40))};
  for (std::size_t i = 0; i < n; ++i) {
    shopify_id id = 0;
    char colon = 0;
    std::int64_t at = 0;
    if (!(in >> id >> colon >> at) || colon != ':')
      return error{error_kind::order_reconcile_decode, "bad fed entry " + std::to_string(i)};
    m.fed_[id] = at;
  }
  m.started_ = true;
  return m;
}

} // namespace shopsync
