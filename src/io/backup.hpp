#pragma once
// Backups of shopsyncd's data and their restore. Everything the daemon keeps (mappings, levels,
// outbox, orders, inbox, dedup, audit, offline tokens) is one RocksDB database, data_dir/state,
// so one RocksDB Checkpoint is a consistent copy of all of it, taken while the daemon runs.
//
// A backup is a directory:
//   DIR/state                  the checkpoint (hard links when on the data dir's file system)
//   DIR/shopsync-backup.json   the marker: what it is, when and from where it was taken
// By default it goes to data_dir/backups/<UTC time>: the unit lets the daemon write only under
// its state directory. Copy it elsewhere for safety (it is an ordinary directory tree).
//
// The daemon refuses to start on a backup (check_live_data_dir), and restore_backup copies one
// into a data dir that holds no data yet (or, with force, moves the data there aside first).
#include "domain/result.hpp"

#include <chrono>
#include <string>

namespace shopsync {

class state_store;

inline constexpr const char* backup_marker = "shopsync-backup.json";

// The default backup directory: data_dir/backups/shopsync-20261204T220501Z.
std::string default_backup_dir(const std::string& data_dir, std::chrono::system_clock::time_point now);

// Writes a backup of `db` into `dir` (absolute; must not exist yet; its parent is created).
// Errors: "backup.exists", "backup.failed" (with a hint when the file system is read-only).
status make_backup(const state_store& db, const std::string& dir, const std::string& data_dir,
                   const std::string& version, std::chrono::system_clock::time_point now);

// A data dir the daemon may start on: not a backup (no marker) and not a bare RocksDB directory
// (a backup's state/ given as data_dir). Error "backup.not_live_data" with what to do instead.
status check_live_data_dir(const std::string& data_dir);

// Restores the backup in `from` into data_dir/state. Refused ("backup.not_empty") when
// data_dir/state holds anything, unless `force`: then it is moved aside to
// data_dir/state.before-restore-<time> (and refused when a running daemon holds it).
// Returns a sentence saying what was done.
result<std::string> restore_backup(const std::string& from, const std::string& data_dir, bool force,
                                   std::chrono::system_clock::time_point now);

} // namespace shopsync
