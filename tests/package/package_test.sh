#!/bin/sh
# The Debian package: `cpack -G DEB` in the build directory, then the package unpacked into a
# scratch root (dpkg-deb -x; no root needed, nothing touches the host) and checked: the files
# are where the units expect them, the installed shopsyncd runs (--version), the installed
# units pass `systemd-analyze verify`, Depends names the runtime libraries, the maintainer
# scripts are there, and the sysusers/tmpfiles snippets apply to the scratch root as the
# postinst applies them to the host.
# Usage: tests/package/package_test.sh BUILD_DIR VERSION
# Exit 0: pass, 1: fail, 77: skipped (no cpack/dpkg-deb).
set -u
build=$1
version=$2
for tool in cpack dpkg-deb; do
  command -v $tool >/dev/null 2>&1 || { echo "SKIP: $tool not found"; exit 77; }
done
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT INT TERM
status=0
fail() { echo "FAIL: $*"; status=1; }

# Its own output directory, so that parallel runs and the build tree's _CPack_Packages stay apart.
if ! (cd "$build" && cpack -G DEB -B "$work/out" >"$work/cpack.log" 2>&1); then
  echo "FAIL: cpack -G DEB:"; cat "$work/cpack.log"; exit 1
fi
deb=$(ls "$work"/out/*.deb 2>/dev/null | head -n1)
[ -n "$deb" ] || { echo "FAIL: no .deb in $work/out:"; cat "$work/cpack.log"; exit 1; }
echo "ok: built $(basename "$deb") ($(du -k "$deb" | cut -f1) KiB)"

fields=$(dpkg-deb -f "$deb" Package Version Depends)
printf '%s\n' "$fields"
depends=$(dpkg-deb -f "$deb" Depends)
for lib in librocksdb libcaf-core libssl3 libsystemd0 libspdlog libstdc++6 systemd; do
  printf '%s' "$depends" | grep -q "$lib" || fail "Depends lacks $lib"
done
[ "$(dpkg-deb -f "$deb" Version)" = "$version" ] || fail "package version is not $version"

dpkg-deb -e "$deb" "$work/control"
for script in postinst prerm postrm; do
  [ -x "$work/control/$script" ] || fail "maintainer script $script missing or not executable"
done
grep -q 'systemd-sysusers' "$work/control/postinst" || fail "postinst does not run systemd-sysusers"
grep -q 'systemd-tmpfiles --create' "$work/control/postinst" || fail "postinst does not run systemd-tmpfiles"

root="$work/root"
dpkg-deb -x "$deb" "$root"
for f in usr/bin/shopsyncd usr/bin/shopsyncctl usr/lib/systemd/system/shopsyncd.service \
         usr/lib/systemd/system/shopsyncd@.service usr/lib/sysusers.d/shopsync.conf \
         usr/lib/tmpfiles.d/shopsync.conf etc/shopsync/shopsync.toml.example \
         usr/share/doc/shopsync/README.md usr/share/doc/shopsync/examples/nginx/shopsync.conf; do
  [ -e "$root/$f" ] || fail "$f is not in the package"
done
[ -e "$root/usr/bin/shopify-sim" ] && fail "the simulator must not be in the package"

out=$("$root/usr/bin/shopsyncd" --version 2>&1) || fail "installed shopsyncd --version failed: $out"
[ "$out" = "$version" ] || fail "installed shopsyncd --version printed '$out', not $version"
echo "ok: installed shopsyncd --version: $out"
"$root/usr/bin/shopsyncctl" --help >/dev/null 2>&1 || fail "installed shopsyncctl --help failed"

if command -v systemd-analyze >/dev/null 2>&1; then
  # The installed units, with ExecStart= pointing into the scratch root (verify checks that it
  # is executable); the template as instance "eu".
  mkdir -p "$work/units"
  for u in shopsyncd.service shopsyncd@.service; do
    sed "s#^ExecStart=/usr/bin/shopsyncd #ExecStart=$root/usr/bin/shopsyncd #" \
      "$root/usr/lib/systemd/system/$u" >"$work/units/$u"
    grep -q "^ExecStart=$root/usr/bin/shopsyncd " "$work/units/$u" || fail "$u: ExecStart= is not /usr/bin/shopsyncd"
  done
  for u in shopsyncd.service shopsyncd@eu.service; do
    out=$(cd "$work/units" && systemd-analyze verify "$work/units/$u" 2>&1); rc=$?
    if [ $rc -ne 0 ] || printf '%s\n' "$out" | grep -q 'shopsyncd'; then
      fail "systemd-analyze verify $u (exit $rc):"; printf '%s\n' "$out"
    else
      echo "ok: systemd-analyze verify installed $u"
    fi
  done
fi

if command -v systemd-sysusers >/dev/null 2>&1 && command -v systemd-tmpfiles >/dev/null 2>&1; then
  mkdir -p "$root/etc"
  if systemd-sysusers --root="$root" shopsync.conf >"$work/sysusers.log" 2>&1 &&
     grep -q '^shopsync:' "$root/etc/passwd" &&
     systemd-tmpfiles --root="$root" --create shopsync.conf >"$work/tmpfiles.log" 2>&1 &&
     [ -d "$root/etc/shopsync/credentials" ]; then
    echo "ok: the postinst's sysusers and tmpfiles steps in the scratch root"
  else
    fail "sysusers/tmpfiles in the scratch root:"; cat "$work/sysusers.log" "$work/tmpfiles.log"
  fi
fi
[ $status -eq 0 ] && echo "ok: package"
exit $status
