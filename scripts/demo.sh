#!/usr/bin/env bash
# The demo: installs what is needed, builds, starts shopify-sim (three simulated stores) and
# shopsyncd with config/demo.toml, then shows, through shopsyncctl, stock syncing both ways
# between "source" and "dest-a" and an order travelling from "dest-b" to "source". New groups
# first show their plan and are approved; at the end the Source is wiped and the mass-change
# breaker holds the writes that would have emptied dest-a.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
bash scripts/build.sh
BUILD_DIR=${BUILD_DIR:-build}
WORK=/tmp/shopsync-demo
SOCK=$WORK/control.sock
SIM=http://127.0.0.1:9100
rm -rf "$WORK" && mkdir -p "$WORK"

pids=()
cleanup() {
  for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
}
trap cleanup EXIT

"$BUILD_DIR/sim/shopify-sim" --port 9100 --scenario sim/scenarios/demo.json \
  --webhook-url http://127.0.0.1:8080/webhooks >"$WORK/sim.log" 2>&1 &
pids+=($!)
"$BUILD_DIR/shopsyncd" --config config/demo.toml --data-dir "$WORK/data" --control-socket "$SOCK" \
  >"$WORK/shopsyncd.log" 2>&1 &
pids+=($!)

ctl() { "$BUILD_DIR/shopsyncctl" --socket "$SOCK" "$@"; }
sim() { curl -sS -d "$2" "$SIM/_sim/$1"; echo; }
# The simulator's truth: one SKU's "Main Warehouse" level in each store.
levels() {
  for s in source dest-a dest-b; do
    curl -sS "$SIM/_sim/state?store=$s-demo.myshopify.com" | python3 -c "
import json, sys
d = json.load(sys.stdin)
v = [x for x in d['variants'] if x['sku'] == '$1'][0]
print('  %-7s %s' % ('$s', ', '.join('%s=%s' % (l['location'], l['available']) for l in v['levels'])))"
  done
}
wait_for() { for _ in $(seq 100); do eval "$1" >/dev/null 2>&1 && return 0; sleep 0.1; done; return 1; }

wait_for "ctl ping"
wait_for "ctl --json mappings | grep -q '\"identities\":40.*\"identities\":40'"

echo "== new groups read every level and wait for approval: shopsyncctl plan"
sleep 2
ctl plan
echo
echo "== shopsyncctl approve stock; shopsyncctl approve orders"
ctl approve stock
ctl approve orders
sleep 1
echo
echo "== shopsyncctl status"
ctl status
echo
echo "== shopsyncctl mappings --problems"
ctl mappings --problems
echo "== TEE-RED-S in every store before (the simulator's truth)"
levels TEE-RED-S
echo
echo "== a sale of 2 in source and, at the same time, a sale of 1 in dest-a (two-way group 'stock')"
sim sale '{"store":"source-demo.myshopify.com","sku":"TEE-RED-S","quantity":2}'
sim sale '{"store":"dest-a-demo.myshopify.com","sku":"TEE-RED-S","quantity":1}'
sleep 2
echo "== after: both sales count everywhere (dest-b follows source one-way, group 'orders')"
levels TEE-RED-S
echo
echo "== shopsyncctl item stock sku:TEE-RED-S"
ctl item stock sku:TEE-RED-S
echo
echo "== a paid order of 3 in dest-b (order group 'orders') becomes an order in source"
sim sale '{"store":"dest-b-demo.myshopify.com","sku":"TEE-RED-S","quantity":3,"financial_status":"paid"}'
sleep 2
ctl orders
echo
echo "== after: source's order took the stock, every store agrees, nothing counted twice"
levels TEE-RED-S
echo
echo "== shopsyncctl stores"
ctl stores
echo
echo "== shopsyncctl audit --item sku:TEE-RED-S --limit 8"
ctl audit --item sku:TEE-RED-S --limit 8
echo
echo "== an import empties the Source: every level of source set to 0"
curl -sS "$SIM/_sim/state?store=source-demo.myshopify.com" | python3 -c "
import json, sys, urllib.request
d = json.load(sys.stdin)
for v in d['variants']:
    for l in v['levels']:
        body = json.dumps({'store': 'source-demo.myshopify.com', 'sku': v['sku'], 'location': l['location'],
                           'available': 0}).encode()
        urllib.request.urlopen(urllib.request.Request('$SIM/_sim/set_level', data=body)).read()"
wait_for "ctl --json status | grep -q tripped" || true
sleep 1
echo "== the breaker tripped: the group's writes are held, not sent"
ctl status
echo
ctl plan stock || true
echo
echo "== dest-a: only the breaker's allowance of levels was emptied before it tripped"
for s in source dest-a; do
  curl -sS "$SIM/_sim/state?store=$s-demo.myshopify.com" | python3 -c "
import json, sys
d = json.load(sys.stdin)
ls = [l for v in d['variants'] for l in v['levels'] if l['location'] == 'Main Warehouse']
print('  %-7s %d of %d Main Warehouse levels at 0' % ('$s', sum(1 for l in ls if l['available'] == 0), len(ls)))"
done
echo
echo "== shopsyncctl discard stock (the held writes are dropped; the group plans again)"
ctl discard stock || true
echo
echo "logs: $WORK/shopsyncd.log $WORK/sim.log"
