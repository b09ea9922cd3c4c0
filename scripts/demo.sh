#!/usr/bin/env bash
# The demo: installs what is needed, builds, starts shopify-sim with a small scenario and
# shopsyncd with config/demo.toml, then shows the stores through shopsyncctl.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
bash scripts/build.sh
BUILD_DIR=${BUILD_DIR:-build}
WORK=/tmp/shopsync-demo
SOCK=$WORK/control.sock
rm -rf "$WORK" && mkdir -p "$WORK"

pids=()
cleanup() {
  for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
}
trap cleanup EXIT

if [ -x "$BUILD_DIR/sim/shopify-sim" ]; then
  "$BUILD_DIR/sim/shopify-sim" --port 9100 --scenario sim/scenarios/demo.json \
    --webhook-url http://127.0.0.1:8080/webhooks >"$WORK/sim.log" 2>&1 &
  pids+=($!)
fi
"$BUILD_DIR/shopsyncd" --config config/demo.toml --data-dir "$WORK/data" --control-socket "$SOCK" \
  >"$WORK/shopsyncd.log" 2>&1 &
pids+=($!)

ctl() { "$BUILD_DIR/shopsyncctl" --socket "$SOCK" "$@"; }
for _ in $(seq 100); do ctl ping >/dev/null 2>&1 && break; sleep 0.1; done

echo "== shopsyncctl status"
ctl status
echo
echo "logs: $WORK/shopsyncd.log $WORK/sim.log"
