// kill -9 right after a 200 loses nothing: the intake runs in its own process
// (bench/webhook_bench_server, durable), is killed without warning, and every delivery it
// acknowledged is found in the inbox when the store is opened again, ready for replay.
// (That the replayed event is then applied is the daemon's part: tests/e2e.)
#include "io/inbox.hpp"
#include "support/temp_dir.hpp"
#include "support/webhook_client.hpp"

#include <gtest/gtest.h>

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <set>
#include <thread>

using namespace shopsync;
using namespace shopsync::testing;

TEST(intake_crash, kill_9_after_200_loses_no_acknowledged_delivery) {
  auto server_bin = binary_path("webhook_bench_server");
  if (!std::filesystem::exists(server_bin))
    GTEST_SKIP() << "webhook_bench_server not built (SHOPSYNC_BENCH=OFF)";
  temp_dir dir{"intake-crash"};

  int out[2];
  ASSERT_EQ(::pipe(out), 0);
  pid_t pid = ::fork();
  if (pid == 0) {
    ::dup2(out[1], STDOUT_FILENO);
    ::close(out[0]);
    ::execl(server_bin.c_str(), server_bin.c_str(), "--dir", dir.str().c_str(), "--io-threads", "2",
            static_cast<char*>(nullptr));
    ::_exit(127);
  }
  ::close(out[1]);
  FILE* f = ::fdopen(out[0], "r");
  unsigned port = 0;
  ASSERT_EQ(std::fscanf(f, "listening %u", &port), 1);

  // Four connections deliver concurrently; the process dies while deliveries are in flight.
  std::mutex mu;
  std::set<std::string> acknowledged;
  std::atomic<bool> stop{false};
  std::atomic<int> total{0};
  auto body = read_file(shared_path("shopify/webhooks/inventory_levels_update.json"));
  std::vector<std::thread> senders;
  for (int c = 0; c < 4; ++c)
    senders.emplace_back([&, c] {
      raw_connection conn(static_cast<std::uint16_t>(port));
      for (int i = 0; !stop; ++i) {
        webhook_headers h;
        h.webhook_id = "crash-" + std::to_string(c) + "-" + std::to_string(i);
        if (!conn.send(webhook_request(body, h)))
          return;
        auto r = conn.read_reply(std::chrono::seconds(2));
        if (!r)
          return;
        if (r->status == 200) {
          std::lock_guard l(mu);
          acknowledged.insert(h.webhook_id);
          if (++total >= 200)
            stop = true;
        }
      }
    });
  while (!stop)
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  ::kill(pid, SIGKILL); // while the senders still have requests in flight
  int status = 0;
  ::waitpid(pid, &status, 0);
  for (auto& t : senders)
    t.join();
  std::fclose(f);
  ASSERT_TRUE(WIFSIGNALED(status));

  auto store = state_store::open({dir.str() + "/db", true, false});
  ASSERT_TRUE(store.ok()) << store.error().message;
  auto in = inbox::open(**store, {});
  ASSERT_TRUE(in.ok());
  auto pending = (*in)->pending();
  ASSERT_TRUE(pending.ok());
  std::set<std::string> found;
  for (auto& e : *pending)
    found.insert(e.envelope.webhook_id);
  ASSERT_GE(acknowledged.size(), 200u);
  for (auto& id : acknowledged)
    EXPECT_TRUE(found.count(id)) << id << " was acknowledged and is lost";
  // Replay order is the acceptance order, without gaps.
  for (std::size_t i = 1; i < pending->size(); ++i)
    EXPECT_EQ((*pending)[i].seq, (*pending)[i - 1].seq + 1);
}
