#!/usr/bin/env bash
# Sync benchmark: propagation latency (p50/p99 at 100 and 1,000 changes/s), then RSS and
# restart-to-ready time, shopsyncd against shopify-sim on loopback. See bench/README.md.
#
#   bench/run_sync_bench.sh <build-dir> [products=333334] [variants=3] [extra sync_bench.py flags]
#
# Builds nothing: configure <build-dir> with -DCMAKE_BUILD_TYPE=Release and run
# `ninja -C <build-dir> shopsyncd shopsyncctl shopify-sim` first. Needs python3.
set -euo pipefail
BUILD=${1:?usage: $0 <build-dir> [products] [variants] [flags...]}
PRODUCTS=${2:-333334}
VARIANTS=${3:-3}
shift $(( $# < 3 ? $# : 3 ))
HERE=$(cd "$(dirname "$0")" && pwd)
for b in shopsyncd shopsyncctl sim/shopify-sim; do
  [ -x "$BUILD/$b" ] || { echo "missing $BUILD/$b: ninja -C $BUILD shopsyncd shopsyncctl shopify-sim" >&2; exit 1; }
done
exec python3 "$HERE/sync/sync_bench.py" --build "$BUILD" --products "$PRODUCTS" --variants "$VARIANTS" \
  --rates 100,1000 --seconds 10 --restart "$@"
