#!/usr/bin/env bash
# fuzz/run.sh SECONDS [target...]
# Builds the libFuzzer targets (clang++, ASan+UBSan) in build-fuzz/ (or $FUZZ_BUILD_DIR) and runs
# each for SECONDS on a temp copy of its seed corpus, so the repository is never written to.
# Targets: config_loader control_protocol webhook_parser (default: all that were built; the
# fuzz_ prefix is optional). Before fuzzing, every reproducer in fuzz/regressions/<target>/
# is replayed once. Exits non-zero on any crash, leak, timeout or out-of-memory, printing
# the reproducer's path (kept under the temp dir).
# Environment:
#   FUZZ_RUNS=N       deterministic mode (CI): -runs=N -seed=1, SECONDS still caps each
#                     run (0 = no cap)
#   FUZZ_CXX          compiler (default clang++)     FUZZ_BUILD_DIR  build dir
#   FUZZ_JOBS         ninja -j (default 2)           FUZZ_KEEP=1     keep the temp dir
#   FUZZ_ARGS         extra libFuzzer flags          FUZZ_BUILD_ONLY=1  build, run nothing
#   FUZZ_SEED_DIRS    more corpus dirs to start from, read only (e.g. a kept earlier run's)
# Exit status: 0 clean, 1 finding, 2 usage or build error, 77 clang++/libFuzzer unavailable.
set -uo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/.." && pwd)"

if [ $# -lt 1 ] || ! [[ "$1" =~ ^[0-9]+$ ]]; then
  sed -n '2,16p' "$0" | sed 's/^# \{0,1\}//'
  exit 2
fi
seconds="$1"; shift
build="${FUZZ_BUILD_DIR:-$root/build-fuzz}"
cxx="${FUZZ_CXX:-clang++}"

if ! command -v "$cxx" >/dev/null 2>&1; then
  echo "run.sh: $cxx not found (scripts/setup.sh installs clang and libclang-rt-14-dev)" >&2
  exit 77
fi
# libFuzzer ships in libclang-rt-*-dev, which `clang` does not pull in without recommends.
if ! echo 'extern "C" int LLVMFuzzerTestOneInput(const char*, unsigned long){return 0;}' |
    "$cxx" -x c++ -fsanitize=fuzzer,address,undefined - -o /dev/null >/dev/null 2>&1; then
  echo "run.sh: $cxx cannot link -fsanitize=fuzzer (install libclang-rt-14-dev)" >&2
  exit 77
fi

targets=()
for t in "$@"; do targets+=("fuzz_${t#fuzz_}"); done

if [ ! -f "$build/build.ninja" ]; then
  cmake -S "$here" -B "$build" -G Ninja -DCMAKE_CXX_COMPILER="$cxx" >/dev/null || exit 2
fi
ninja -C "$build" -j "${FUZZ_JOBS:-2}" "${targets[@]}" >/dev/null || {
  ninja -C "$build" -j 1 "${targets[@]}"; exit 2; }
[ -n "${FUZZ_BUILD_ONLY:-}" ] && exit 0
if [ ${#targets[@]} -eq 0 ]; then
  for b in "$build"/fuzz_*; do [ -x "$b" ] && targets+=("$(basename "$b")"); done
fi

symbolizer="$(command -v llvm-symbolizer || command -v llvm-symbolizer-14 || true)"
[ -n "$symbolizer" ] && export ASAN_SYMBOLIZER_PATH="$symbolizer"
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0:handle_abort=1}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"

tmp="$(mktemp -d "${TMPDIR:-/tmp}/shopsync-fuzz.XXXXXX")"
status=0
summary=()
for target in "${targets[@]}"; do
  name="${target#fuzz_}"
  bin="$build/$target"
  if [ ! -x "$bin" ]; then echo "run.sh: no target $target" >&2; status=2; continue; fi
  work="$tmp/$name"
  mkdir -p "$work/corpus" "$work/artifacts"
  cp -r "$here/corpus/$name/." "$work/corpus/" 2>/dev/null || true
  dict=(); [ -f "$here/dict/$name.dict" ] && dict=(-dict="$here/dict/$name.dict")

  # Known reproducers first: each one must now run clean.
  regs=("$here"/regressions/"$name"/*)
  if [ -e "${regs[0]}" ]; then
    if ! "$bin" -artifact_prefix="$work/artifacts/" "${regs[@]}" </dev/null >"$work/regressions.log" 2>&1; then
      echo "FAIL $target: a reproducer in fuzz/regressions/$name crashes again; log: $work/regressions.log" >&2
      tail -30 "$work/regressions.log" >&2
      status=1; summary+=("$target: REGRESSION"); continue
    fi
    cp "${regs[@]}" "$work/corpus/"
  fi

  budget=(-max_total_time="$seconds")
  [ -n "${FUZZ_RUNS:-}" ] && budget+=(-runs="$FUZZ_RUNS" -seed=1)
  echo "== $target: ${FUZZ_RUNS:+$FUZZ_RUNS runs, at most }${seconds}s, corpus $work/corpus"
  start=$(date +%s)
  # stdin is /dev/null: a configuration naming /dev/stdin as a secret must not wait on a tty.
  # shellcheck disable=SC2086
  "$bin" "${budget[@]}" "${dict[@]}" -timeout=10 -rss_limit_mb=2048 -max_len=65536 \
    -print_final_stats=1 -artifact_prefix="$work/artifacts/" ${FUZZ_ARGS:-} \
    "$work/corpus" ${FUZZ_SEED_DIRS:-} </dev/null >"$work/fuzz.log" 2>&1
  rc=$?
  elapsed=$(( $(date +%s) - start ))
  done_line="$(grep -E '^#[0-9]+[[:space:]]+(DONE|pulse|NEW|REDUCE|INITED)' "$work/fuzz.log" | tail -1)"
  execs="$(sed -n 's/^stat::number_of_executed_units: *//p' "$work/fuzz.log")"
  cov="$(echo "$done_line" | grep -oE 'cov: [0-9]+' | cut -d' ' -f2)"
  ft="$(echo "$done_line" | grep -oE 'ft: [0-9]+' | cut -d' ' -f2)"
  corp="$(echo "$done_line" | grep -oE 'corp: [0-9]+/[0-9]+[a-zA-Z]*' | cut -d' ' -f2)"
  line="$target: ${execs:-?} execs in ${elapsed}s, cov ${cov:-?}, ft ${ft:-?}, corpus ${corp:-?}"
  artifacts=("$work"/artifacts/*)
  if [ $rc -ne 0 ] || [ -e "${artifacts[0]}" ]; then
    status=1
    echo "FAIL $line (exit $rc); log: $work/fuzz.log" >&2
    grep -E 'ERROR:|SUMMARY:|property violated|runtime error' "$work/fuzz.log" | head -5 >&2
    for a in "${artifacts[@]}"; do [ -e "$a" ] && echo "reproducer: $a  (replay: $bin $a)" >&2; done
    summary+=("FAIL $line")
  else
    echo "ok   $line"
    summary+=("ok   $line")
  fi
done

echo "== summary"
printf '%s\n' "${summary[@]}"
if [ $status -eq 0 ] && [ -z "${FUZZ_KEEP:-}" ]; then rm -rf "$tmp"; else echo "kept: $tmp"; fi
exit $status
