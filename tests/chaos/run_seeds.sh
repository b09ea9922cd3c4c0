#!/usr/bin/env bash
# Runs chaos_driver for seeds FIRST..FIRST+N-1 and prints a summary; a failing seed replays
# with `build/tests/chaos/chaos_driver --seed S -v` (its logs are kept in $TMPDIR/shopsync-chaos-fail-S).
# Usage: tests/chaos/run_seeds.sh N [FIRST=1] [extra chaos_driver flags...]
set -uo pipefail
cd "$(dirname "$0")/../.."
N=${1:-1000}
FIRST=${2:-1}
shift $(( $# > 2 ? 2 : $# ))
DRIVER=${CHAOS_DRIVER:-build/tests/chaos/chaos_driver}
[ -x "$DRIVER" ] || { echo "no $DRIVER: ninja -C build -j2 chaos_driver"; exit 2; }
pass=0; fail=0; failed=()
start=$(date +%s)
summary() {
  echo "chaos: $((pass + fail)) of $N seeds from $FIRST: $pass ok, $fail FAIL in $(( $(date +%s) - start )) s${failed:+; failing seeds: ${failed[*]}}"
}
trap 'summary; exit 130' INT TERM # an interrupted run still reports what it ran
for ((s = FIRST; s < FIRST + N; s++)); do
  if "$DRIVER" --seed "$s" "$@"; then pass=$((pass + 1)); else fail=$((fail + 1)); failed+=("$s"); fi
done
summary
[ "$fail" -eq 0 ]
