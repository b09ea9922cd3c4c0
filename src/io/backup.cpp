#include "io/backup.hpp"

#include "io/json_writer.hpp"
#include "io/state_store.hpp"

#include <cerrno>
#include <ctime>
#include <filesystem>
#include <fstream>

namespace shopsync {

namespace fs = std::filesystem;

namespace {

std::string utc_stamp(std::chrono::system_clock::time_point now) {
  std::time_t t = std::chrono::system_clock::to_time_t(now);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y%m%dT%H%M%SZ", &tm);
  return buf;
}

bool has_entries(const fs::path& dir) {
  std::error_code ec;
  return fs::is_directory(dir, ec) && fs::directory_iterator(dir, ec) != fs::directory_iterator();
}

error backup_error(error_kind kind, const std::string& message) { return error{kind, message}; }

} // namespace

std::string default_backup_dir(const std::string& data_dir, std::chrono::system_clock::time_point now) {
  return (fs::path(data_dir) / "backups" / ("shopsync-" + utc_stamp(now))).string();
}

status make_backup(const state_store& db, const std::string& dir, const std::string& data_dir,
                   const std::string& version, std::chrono::system_clock::time_point now) {
  fs::path root(dir);
  std::error_code ec;
  if (fs::exists(root, ec))
    return backup_error(error_kind::backup_exists, "backup directory " + dir + " exists already: name a new one");
  fs::create_directories(root, ec);
  if (ec) {
    auto hint = ec == std::errc::read_only_file_system || ec == std::errc::permission_denied
                  ? " (under systemd shopsyncd may write only below its state directory, e.g. " + data_dir +
                      "/backups: back up there and copy the result elsewhere)"
                  : std::string();
    return backup_error(error_kind::backup_failed, "cannot create " + dir + ": " + ec.message() + hint);
  }
  if (auto st = db.checkpoint((root / "state").string()); !st) {
    fs::remove_all(root, ec);
    return backup_error(error_kind::backup_failed, "checkpoint into " + dir + " failed: " + st.error().message);
  }
  json_writer w;
  w.begin_object()
    .field("kind", "shopsync-backup")
    .field("version", version)
    .field("created_at", utc_stamp(now))
    .field("data_dir", data_dir)
    .field("restore", "shopsyncd --restore-from " + dir)
    .end_object();
  std::ofstream marker(root / backup_marker);
  marker << w.str() << '\n';
  marker.close();
  if (!marker)
    return backup_error(error_kind::backup_failed, "cannot write " + (root / backup_marker).string());
  return ok_status();
}

status check_live_data_dir(const std::string& data_dir) {
  fs::path d(data_dir);
  std::error_code ec;
  if (fs::exists(d / backup_marker, ec))
    return backup_error(error_kind::backup_not_live_data,
                        "data dir " + data_dir + " holds a backup (" + backup_marker +
                          "), not live data: restore it with `shopsyncd --restore-from " + data_dir +
                          "` (into daemon.data_dir, or --data-dir DIR), then start on that data dir");
  if (fs::exists(d / "CURRENT", ec) && !fs::exists(d / "state", ec))
    return backup_error(error_kind::backup_not_live_data,
                        "data dir " + data_dir + " is itself a RocksDB database (a backup's state/ directory?): "
                          "daemon.data_dir is the directory that holds state/; to use a backup, restore it "
                          "with `shopsyncd --restore-from <the backup's directory>`");
  return ok_status();
}

result<std::string> restore_backup(const std::string& from, const std::string& data_dir, bool force,
                                   std::chrono::system_clock::time_point now) {
  fs::path src(from), target = fs::path(data_dir) / "state";
  std::error_code ec;
  if (!fs::exists(src / backup_marker, ec) || !fs::is_directory(src / "state", ec))
    return backup_error(error_kind::backup_invalid, from + " is not a shopsync backup (no " + std::string(backup_marker) +
                                            " and state/ in it): name the directory `shopsyncctl backup` wrote");
  if (fs::weakly_canonical(src, ec) == fs::weakly_canonical(data_dir, ec))
    return backup_error(error_kind::backup_invalid, "the backup and the data dir are the same directory");
  // The backup must open (and not be newer than this build) before anything is touched.
  {
    auto check = state_store::open({(src / "state").string(), false, false});
    if (!check)
      return backup_error(error_kind::backup_invalid, "the backup in " + from + " does not open: " + check.error().message);
  }
  std::string aside;
  if (has_entries(target)) {
    if (!force)
      return backup_error(error_kind::backup_not_empty,
                          "data dir " + data_dir + " already holds data (" + target.string() +
                            "); restoring would replace it: stop shopsyncd and add --force to move it aside to " +
                            target.string() + ".before-restore-<time> first, or restore into an empty --data-dir");
    // Opening takes RocksDB's lock: a running daemon keeps its data.
    {
      auto live = state_store::open({target.string(), false, false});
      if (!live)
        return backup_error(error_kind::backup_busy, "cannot take over " + target.string() +
                                             " (is shopsyncd still running? stop it first): " + live.error().message);
    }
    aside = target.string() + ".before-restore-" + utc_stamp(now);
    fs::rename(target, aside, ec);
    if (ec)
      return backup_error(error_kind::backup_failed, "cannot move " + target.string() + " aside: " + ec.message());
  } else if (fs::exists(target, ec)) {
    fs::remove(target, ec); // an empty directory
  }
  fs::create_directories(data_dir, ec);
  auto partial = fs::path(target.string() + ".restoring");
  fs::remove_all(partial, ec);
  fs::copy(src / "state", partial, fs::copy_options::recursive, ec);
  if (ec) {
    fs::remove_all(partial, ec);
    return backup_error(error_kind::backup_failed, "cannot copy " + (src / "state").string() + ": " + ec.message());
  }
  fs::rename(partial, target, ec);
  if (ec)
    return backup_error(error_kind::backup_failed, "cannot move the restored copy into place: " + ec.message());
  std::string done = "restored " + from + " into " + target.string();
  if (!aside.empty())
    done += "; the data it replaced is in " + aside;
  return done;
}

} // namespace shopsync
