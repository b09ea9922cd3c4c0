#!/usr/bin/env bash
# Installs everything shopsync needs on Debian 12, from Debian's packages (and the pinned npm
# packages of the schema check). Idempotent: installs only what is missing, `apt-get update`
# at most once. Run as root (or with sudo available).
set -euo pipefail
cd "$(dirname "$0")/.."

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi

packages=(
  g++ cmake ninja-build ccache pkg-config git
  libcaf-dev libboost-dev libboost-system-dev libssl-dev libsimdjson-dev librocksdb-dev
  libspdlog-dev libsystemd-dev libtomlplusplus-dev libcli11-dev libgtest-dev libgmock-dev
  nginx-light curl jq procps systemd clang python3
  # fuzz/: libFuzzer, ASan and UBSan runtimes for clang 14 (only a Recommends of clang, so
  # --no-install-recommends leaves them out) and llvm-symbolizer for readable crash stacks.
  libclang-rt-14-dev llvm-14
  # tests/package: cpack -G DEB finds the runtime Depends with dpkg-shlibdeps (and file);
  # the nginx sample test makes a throw-away TLS certificate with openssl.
  dpkg-dev file openssl
  # promtool: `promtool check metrics` on a live /metrics and `promtool check/test rules` on
  # contrib/prometheus/alerts.yml (tests e2e_metrics, contrib.prometheus_rules).
  prometheus
)
# node/npm run the GraphQL schema check; keep a node that is already installed.
command -v node >/dev/null 2>&1 || packages+=(nodejs)
command -v npm >/dev/null 2>&1 || packages+=(npm)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ "${#missing[@]}" -gt 0 ]; then
  echo "setup: installing ${missing[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# npm packages, pinned by their lock files.
for dir in tests/schema; do  # bench/node-receiver installs itself on first use
  if [ -f "$dir/package-lock.json" ] && [ ! -d "$dir/node_modules" ]; then
    echo "setup: npm ci in $dir"
    (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error)
  fi
done
echo "setup: dependencies ready"
