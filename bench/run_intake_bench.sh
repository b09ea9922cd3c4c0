#!/usr/bin/env bash
# Webhook intake benchmark: shopsync's intake (webhook_server + durable inbox) against a
# minimal Node receiver on Shopify's @shopify/shopify-api, under the same load.
#
#   bench/run_intake_bench.sh <build-dir> [seconds=10] ["connection counts"="256 512"]
#
# Builds nothing: run `ninja -C <build-dir> webhook_load webhook_bench_server` first.
# Needs node and npm (the receiver's locked dependencies are installed on first use).
set -euo pipefail

BUILD=${1:?usage: $0 <build-dir> [seconds] [connections]}
SECONDS_PER_RUN=${2:-10}
CONNS=${3:-256 512}
PACED_RATE=5000
PACED_CONNS=64
WARMUP=2
HERE=$(cd "$(dirname "$0")" && pwd)
LOAD="$BUILD/bench/webhook_load"
SERVER="$BUILD/bench/webhook_bench_server"
for b in "$LOAD" "$SERVER"; do
  [ -x "$b" ] || { echo "missing $b: ninja -C $BUILD webhook_load webhook_bench_server" >&2; exit 1; }
done
if [ ! -d "$HERE/node-receiver/node_modules/@shopify/shopify-api" ]; then
  (cd "$HERE/node-receiver" && npm ci --no-audit --no-fund --silent)
fi

TMP=$(mktemp -d)
PID=""
cleanup() {
  if [ -n "$PID" ]; then kill "$PID" 2>/dev/null || true; wait "$PID" 2>/dev/null || true; fi
  rm -rf "$TMP"
}
trap cleanup EXIT

# start <name> <command...>: runs it in the background, waits for "listening <port>".
start() {
  local name=$1; shift
  NAME=$name
  "$@" > "$TMP/$name.out" 2>&1 &
  PID=$!
  for _ in $(seq 1 100); do
    PORT=$(awk '/^listening/{print $2; exit}' "$TMP/$name.out" 2>/dev/null || true)
    [ -n "$PORT" ] && return 0
    sleep 0.1
  done
  echo "$name did not start:" >&2; cat "$TMP/$name.out" >&2; exit 1
}
# stop: also prints what the server says on its way out (the inbox's batch figures).
stop() { kill "$PID"; wait "$PID" 2>/dev/null || true; PID=""; grep '^accepted' "$TMP/$NAME.out" || true; }

# run <label> <load options...>: prints the load generator's figures, keeps them.
run() {
  local label=$1; shift
  echo "--- $label"
  "$LOAD" --port "$PORT" --server-pid "$PID" --duration "$SECONDS_PER_RUN" --warmup "$WARMUP" "$@" \
    | tee "$TMP/$label.txt" || true
}
field() { awk -v k="$2" '{for(i=1;i<=NF;i++){split($i,a,"="); if(a[1]==k) print a[2]}}' "$TMP/$1.txt"; }

echo "machine: $(nproc) cores, $(uname -r), load average $(cut -d' ' -f1-3 /proc/loadavg); load generator and servers share the cores"
# Pressure stall information: the share of time some task waited for a CPU or for I/O.
pressure() { awk '/^some/{split($3, a, "="); print a[2] "%"}' "/proc/pressure/$1" 2>/dev/null || echo "n/a"; }
report_pressure() { echo "pressure (avg60, some): cpu $(pressure cpu), io $(pressure io)"; }
report_pressure
# The floor under a durable ack: one fdatasync of the WAL's file system. RocksDB appends to
# its WAL, so each sync also commits the ext4 journal (new size, new blocks); overwriting
# written blocks needs no journal commit (what recycle_log_file_num would give, see README).
if command -v python3 > /dev/null; then
  python3 - "$TMP/fsync-probe" <<'PY'
import os, sys, time
def probe(overwrite):
    fd = os.open(sys.argv[1], os.O_RDWR | os.O_CREAT | os.O_TRUNC, 0o600)
    if overwrite:
        os.write(fd, b"\0" * (1 << 20)); os.fsync(fd); os.lseek(fd, 0, 0)
    lat = []
    for _ in range(300):
        os.write(fd, b"x" * 400)
        t = time.perf_counter(); os.fdatasync(fd); lat.append((time.perf_counter() - t) * 1000)
    os.close(fd); os.unlink(sys.argv[1]); lat.sort()
    return "p50=%.2f p99=%.2f ms" % (lat[150], lat[297])
print("disk: append+fdatasync %s; overwrite+fdatasync %s (temp dir %s)" % (probe(False), probe(True), os.path.dirname(sys.argv[1])))
PY
fi
echo "flat out: $CONNS keep-alive connections; paced: $PACED_RATE/s over $PACED_CONNS connections; ${SECONDS_PER_RUN}s each after ${WARMUP}s warm-up"

RUNS=()
# Each server gets the same runs: flat out at every connection count, then paced.
series() {
  local prefix=$1
  for c in $CONNS; do
    run "${prefix}_flat_c$c" --connections "$c"
    RUNS+=("${prefix}_flat_c$c")
  done
  run "${prefix}_paced_${PACED_RATE}" --connections "$PACED_CONNS" --rate "$PACED_RATE"
  RUNS+=("${prefix}_paced_${PACED_RATE}")
}

# Node right after the durable server: the ratio compares runs made minutes apart, not
# the first and the last of the script, on cores that other work may share.
start shopsync "$SERVER" --io-threads 2
series shopsync_durable
stop

start node node "$HERE/node-receiver/server.js" 0 hush
series node
stop

start shopsync_nosync "$SERVER" --io-threads 2 --no-sync
series shopsync_nosync
stop

report_pressure
echo
printf '%-32s %12s %9s %9s %11s %12s\n' run accepted/s p50_ms p99_ms server_cpu loadgen_cpu
for r in "${RUNS[@]}"; do
  printf '%-32s %12s %9s %9s %11s %12s\n' "$r" "$(field "$r" accepted_per_s)" "$(field "$r" p50_ms)" "$(field "$r" p99_ms)" \
    "$(field "$r" server_cpu_cores)" "$(field "$r" loadgen_cpu_cores)"
done
for c in $CONNS; do
  ratio=$(awk -v a="$(field shopsync_durable_flat_c$c accepted_per_s)" -v b="$(field node_flat_c$c accepted_per_s)" \
    'BEGIN{ if (b > 0) printf "%.1f", a / b; else print "n/a" }')
  echo "ratio durable shopsync / node, flat out, $c connections: ${ratio}x"
done
