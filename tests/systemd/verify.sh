#!/bin/sh
# Checks systemd/: the unit and the template unit shopsyncd@.service pass `systemd-analyze verify` without a warning, its offline
# exposure score is at most 2.5, and the sysusers/tmpfiles snippets create what the unit
# expects (in a throw-away root). Exit 0: pass, 1: fail, 77: skipped (no systemd-analyze).
# Usage: tests/systemd/verify.sh [path/to/shopsyncd]   (the binary is only named by the copy
# of the unit that verify reads; /bin/true stands in when it is not given)
set -u
case $0 in */*) here=${0%/*} ;; *) here=. ;; esac
unit="$here/../../systemd/shopsyncd.service"
template="$here/../../systemd/shopsyncd@.service"
sysusers="$here/../../systemd/shopsync.sysusers.conf"
tmpfiles="$here/../../systemd/shopsync.tmpfiles.conf"
max_score=2.5
binary=${1:-/bin/true}

if ! command -v systemd-analyze >/dev/null 2>&1; then
  echo "SKIP: systemd-analyze not found"
  exit 77
fi
[ -f "$unit" ] || { echo "FAIL: $unit missing"; exit 1; }
[ -x "$binary" ] || { echo "FAIL: $binary is not an executable"; exit 1; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT INT TERM
status=0

# verify refuses an ExecStart= binary that does not exist: check a copy that names one that does.
sed "s#^ExecStart=/usr/bin/shopsyncd #ExecStart=$binary #" "$unit" >"$work/shopsyncd.service"
grep -q "^ExecStart=$binary " "$work/shopsyncd.service" || { echo "FAIL: ExecStart= not found"; exit 1; }
out=$(systemd-analyze verify "$work/shopsyncd.service" 2>&1); rc=$?
# An unknown or misspelt setting is only a warning (exit 0): refuse those as well.
warnings=$(printf '%s\n' "$out" | grep 'shopsyncd.service' || true)
if [ $rc -ne 0 ] || [ -n "$warnings" ]; then
  echo "FAIL: systemd-analyze verify (exit $rc):"; printf '%s\n' "$out"; status=1
else
  echo "ok: systemd-analyze verify"
fi

# The template, as instance "eu" (verify finds shopsyncd@.service beside it).
sed "s#^ExecStart=/usr/bin/shopsyncd #ExecStart=$binary #" "$template" >"$work/shopsyncd@.service"
grep -q "^ExecStart=$binary --config /etc/shopsync/%i.toml " "$work/shopsyncd@.service" ||
  { echo "FAIL: the template's ExecStart= does not read /etc/shopsync/%i.toml"; exit 1; }
out=$(cd "$work" && systemd-analyze verify "$work/shopsyncd@eu.service" 2>&1); rc=$?
warnings=$(printf '%s\n' "$out" | grep 'shopsyncd@' || true)
if [ $rc -ne 0 ] || [ -n "$warnings" ]; then
  echo "FAIL: systemd-analyze verify shopsyncd@eu.service (exit $rc):"; printf '%s\n' "$out"; status=1
else
  echo "ok: systemd-analyze verify shopsyncd@eu.service"
fi
out=$(systemd-analyze security --offline=yes "$work/shopsyncd@eu.service" 2>&1)
score=$(printf '%s\n' "$out" | sed -n 's/.*Overall exposure level for shopsyncd@eu.service: \([0-9.]*\).*/\1/p')
if [ -z "$score" ] || awk -v s="$score" -v m="$max_score" 'BEGIN { exit !(s > m) }'; then
  echo "FAIL: template exposure score '$score' (at most $max_score)"; status=1
else
  echo "ok: template exposure score $score"
fi
# Both units reload with SIGHUP and have a watchdog.
for u in "$unit" "$template"; do
  grep -q '^ExecReload=/bin/kill -HUP \$MAINPID$' "$u" || { echo "FAIL: $u: no ExecReload= with SIGHUP"; status=1; }
  grep -q '^WatchdogSec=' "$u" || { echo "FAIL: $u: no WatchdogSec="; status=1; }
done

out=$(systemd-analyze security --offline=yes "$work/shopsyncd.service" 2>&1)
score=$(printf '%s\n' "$out" | sed -n 's/.*Overall exposure level for shopsyncd.service: \([0-9.]*\).*/\1/p')
if [ -z "$score" ]; then
  echo "FAIL: no exposure score from systemd-analyze security:"; printf '%s\n' "$out"; status=1
elif awk -v s="$score" -v m="$max_score" 'BEGIN { exit !(s > m) }'; then
  echo "FAIL: exposure score $score is worse than $max_score:"
  printf '%s\n' "$out" | grep '✗'
  status=1
else
  echo "ok: exposure score $score (at most $max_score)"
fi

# sysusers and tmpfiles, applied to an empty root.
if command -v systemd-sysusers >/dev/null 2>&1 && command -v systemd-tmpfiles >/dev/null 2>&1; then
  root="$work/root"
  mkdir -p "$root/etc" "$root/usr/lib/sysusers.d" "$root/usr/lib/tmpfiles.d"
  cp "$sysusers" "$root/usr/lib/sysusers.d/shopsync.conf"
  cp "$tmpfiles" "$root/usr/lib/tmpfiles.d/shopsync.conf"
  if ! out=$(systemd-sysusers --root="$root" 2>&1) || ! grep -q '^shopsync:' "$root/etc/passwd" ||
     ! grep -q '^shopsync:' "$root/etc/group"; then
    echo "FAIL: systemd-sysusers did not create user and group shopsync:"; printf '%s\n' "$out"; status=1
  elif ! out=$(systemd-tmpfiles --root="$root" --create 2>&1); then
    echo "FAIL: systemd-tmpfiles:"; printf '%s\n' "$out"; status=1
  elif [ "$(stat -c %a "$root/etc/shopsync")" != 750 ] ||
       [ "$(stat -c %a "$root/etc/shopsync/credentials")" != 700 ]; then
    echo "FAIL: /etc/shopsync must be 0750 and /etc/shopsync/credentials 0700"; status=1
  else
    echo "ok: sysusers and tmpfiles snippets"
  fi
else
  echo "note: systemd-sysusers/systemd-tmpfiles not found, snippets not checked"
fi
exit $status
