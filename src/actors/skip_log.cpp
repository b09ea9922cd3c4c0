#include "actors/skip_log.hpp"

#include <spdlog/spdlog.h>

namespace shopsync {

skip_log::skip_log(state_store* store, audit_log* audit, mark_fn mark)
    : store_(store), audit_(audit), mark_(std::move(mark)) {}

bool skip_log::add(const audit_entry& e, std::uint64_t inbox_seq) {
  if (!store_)
    return false;
  if (audit_)
    audit_->append(batch_, e);
  if (inbox_seq && mark_)
    mark_(batch_, inbox_seq);
  if (++pending_ >= max_pending) {
    flush();
    return false;
  }
  return pending_ == 1;
}

void skip_log::flush() {
  if (!pending_)
    return;
  const auto n = pending_;
  pending_ = 0;
  state_store::batch b;
  std::swap(b, batch_);
  if (b.empty())
    return;
  if (auto w = store_->write(b, false); !w)
    spdlog::error("cannot record {} skipped events: {}", n, w.error().message);
}

} // namespace shopsync
