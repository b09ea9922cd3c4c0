// A real filesystem filling up under the webhook intake ("RocksDB write failure (disk
// full): webhooks get 503, nothing is acknowledged that is not stored, and shopsync recovers
// when space returns"). The state store lives on a small tmpfs mounted for the test; a filler
// file takes the last free byte, signed webhooks keep coming, then the filler goes and Shopify's
// retries must be accepted again, and every delivery ever answered 200 must be there after a
// restart. Needs root (mount); skipped otherwise.
#include "io/inbox.hpp"
#include "io/state_store.hpp"
#include "support/webhook_client.hpp"
#include "support/webhook_server_fixture.hpp"

#include <gtest/gtest.h>

#include <sys/mount.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <map>
#include <thread>

using namespace shopsync;
using namespace shopsync::testing;
using namespace std::chrono_literals;

namespace {

// A tmpfs of `size_mb` at <temp>/mnt, unmounted (lazily, so an open file cannot keep it) when
// this object dies, even when the test fails.
class small_filesystem {
public:
  explicit small_filesystem(int size_mb) : mnt_((dir_ / "mnt").string()) {
    if (::geteuid() != 0) {
      why_not_ = "needs root to mount a small filesystem";
      return;
    }
    std::filesystem::create_directories(mnt_);
    auto opts = "size=" + std::to_string(size_mb) + "m,mode=0700";
    if (::mount("tmpfs", mnt_.c_str(), "tmpfs", MS_NOSUID | MS_NODEV, opts.c_str()) != 0) {
      why_not_ = std::string("mount -t tmpfs not permitted here: ") + std::strerror(errno);
      return;
    }
    mounted_ = true;
  }
  ~small_filesystem() {
    if (mounted_ && ::umount2(mnt_.c_str(), MNT_DETACH) != 0)
      ADD_FAILURE() << "umount " << mnt_ << ": " << std::strerror(errno);
  }
  bool mounted() const { return mounted_; }
  const std::string& why_not() const { return why_not_; }
  const std::string& path() const { return mnt_; }
  std::uint64_t free_bytes() const {
    struct statvfs s {};
    return ::statvfs(mnt_.c_str(), &s) == 0 ? std::uint64_t(s.f_bavail) * s.f_frsize : 0;
  }

private:
  temp_dir dir_{"disk-full"};
  std::string mnt_;
  bool mounted_ = false;
  std::string why_not_;
};

// Writes until the filesystem says ENOSPC; returns the bytes written.
std::uint64_t fill(const std::string& file) {
  std::FILE* f = std::fopen(file.c_str(), "wb");
  if (!f)
    return 0;
  std::setvbuf(f, nullptr, _IONBF, 0);
  std::string chunk(64 * 1024, 'f');
  std::uint64_t total = 0;
  for (std::size_t n = chunk.size(); n > 0; n /= 2) // big writes, then the last crumbs
    while (std::fwrite(chunk.data(), 1, n, f) == n)
      total += n;
  std::fclose(f);
  return total;
}

// Signed deliveries with ~2 KiB bodies (the WAL fills quickly) and unique webhook ids.
std::string body_for(const std::string& id) {
  return R"({"inventory_item_id":45678901234567,"location_id":71234567890,"available":7,"note":")" + id + "-" +
         std::string(2000, 'n') + "\"}";
}

int post(std::uint16_t port, const std::string& id) {
  webhook_headers h;
  h.webhook_id = id;
  return post_webhook(port, body_for(id), h).status;
}

} // namespace

TEST(disk_full, webhooks_get_503_while_full_and_are_accepted_again_when_space_returns) {
  small_filesystem fs(16);
  if (!fs.mounted())
    GTEST_SKIP() << fs.why_not();
  const std::string db = fs.path() + "/db";
  std::map<std::string, int> last_status; // webhook id -> last answer
  std::vector<std::string> full_ids;
  {
    webhook_server_fixture f(webhook_server_fixture::setup{{}, db});
    for (int i = 0; i < 5; ++i) {
      auto id = "before-" + std::to_string(i);
      last_status[id] = post(f.port, id);
      EXPECT_EQ(last_status[id], 200) << id;
    }

    // The disk fills up (another process, a log file gone wild...).
    ASSERT_GT(fill(fs.path() + "/filler"), 0u);
    EXPECT_LT(fs.free_bytes(), 64u * 1024);
    int refused = 0;
    for (int i = 0; i < 40; ++i) {
      auto id = "full-" + std::to_string(i);
      full_ids.push_back(id);
      auto s = post(f.port, id);
      last_status[id] = s;
      EXPECT_TRUE(s == 200 || s == 503) << id << ": " << s; // never a 200 for a lost record
      refused += s == 503;
    }
    EXPECT_GE(refused, 30) << "the filesystem did not fill up";
    // Still full after a while (a resume is tried and fails): still 503, never a false 200.
    std::this_thread::sleep_for(600ms);
    for (int i = 40; i < 43; ++i) {
      auto id = "full-" + std::to_string(i);
      full_ids.push_back(id);
      last_status[id] = post(f.port, id);
      EXPECT_EQ(last_status[id], 503) << id;
    }
    EXPECT_LE(f.accepted_count(), 5u + 40u - std::size_t(refused)); // refused deliveries are not handed on

    // Space comes back. Shopify retries what got 503 (and sends new ones): within a short
    // while they are accepted again, without a restart.
    std::filesystem::remove(fs.path() + "/filler");
    std::vector<std::string> retry = full_ids;
    for (int i = 0; i < 5; ++i)
      retry.push_back("after-" + std::to_string(i));
    auto deadline = std::chrono::steady_clock::now() + 30s;
    for (auto& id : retry) {
      while (last_status[id] != 200 && std::chrono::steady_clock::now() < deadline) {
        last_status[id] = post(f.port, id);
        if (last_status[id] != 200)
          std::this_thread::sleep_for(100ms);
      }
      EXPECT_EQ(last_status[id], 200) << id << " not accepted after space returned";
    }
  }

  // Restart on the same files: everything ever answered 200 is there, exactly once.
  auto store = state_store::open({db, true, false});
  ASSERT_TRUE(store.ok()) << store.error().message;
  std::size_t acknowledged = 0;
  for (auto& [id, status] : last_status) {
    if (status != 200)
      continue;
    ++acknowledged;
    auto seen = (*store)->get(column::dedup, inbox::dedup_key("shop-a.myshopify.com", "ev-" + id));
    ASSERT_TRUE(seen.ok());
    EXPECT_TRUE(seen->has_value()) << id << " was acknowledged and is not stored";
  }
  EXPECT_EQ(acknowledged, last_status.size());
  EXPECT_EQ(count_records(**store, column::inbox), acknowledged);
}
