#include "actors/actor_config.hpp"

#include "actors/messages.hpp"

#include <caf/all.hpp>

namespace shopsync {

actor_config::actor_config(int scheduler_threads) {
  set("scheduler.max-threads", static_cast<size_t>(scheduler_threads < 1 ? 1 : scheduler_threads));
  // An idle worker of CAF 0.17's work stealing spins (100 polls, then 500 with 50 us sleeps)
  // before it waits on its condition variable: on a small VM that busy-waiting took a fifth of
  // shopsyncd's CPU during a flash sale, away from the webhook server. Waiting, it is woken when
  // a job is enqueued for it, so it now gets there after a few polls and 5 ms of short sleeps
  // (zeek/broker sets the same knobs).
  set("work-stealing.aggressive-poll-attempts", size_t{5});
  set("work-stealing.aggressive-steal-interval", size_t{4});
  set("work-stealing.moderate-poll-attempts", size_t{5});
  set("work-stealing.moderate-steal-interval", size_t{2});
  set("work-stealing.moderate-sleep-duration", caf::timespan{std::chrono::milliseconds(1)});
  set("work-stealing.relaxed-steal-interval", size_t{1});
  set("work-stealing.relaxed-sleep-duration", caf::timespan{std::chrono::milliseconds(64)});
  // CAF 0.17 would otherwise read caf-application.ini from the working directory.
  config_file_path = "";
  set("logger.verbosity", caf::atom("quiet"));
}

} // namespace shopsync
