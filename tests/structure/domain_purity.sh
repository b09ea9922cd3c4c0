#!/usr/bin/env bash
# src/domain is pure (docs/ARCHITECTURE.md): it includes nothing of io or actors, no CAF, Boost,
# RocksDB, simdjson, spdlog or toml++, starts no thread, reads no clock, no environment and no
# randomness. Time and randomness come in as arguments. Prints each offending line; exit 1 if any.
# Usage: domain_purity.sh [SRC_DIR]   (default: the repository's src/domain)
set -uo pipefail
dir=${1:-"$(dirname "$0")/../../src/domain"}
[ -d "$dir" ] || { echo "domain_purity: no directory $dir"; exit 2; }
patterns=(
  '#include[[:space:]]*["<](io|actors|bin)/'
  '#include[[:space:]]*<(caf|boost|rocksdb|simdjson|spdlog|toml\+\+)[/.>]'
  '#include[[:space:]]*<(simdjson|toml\+\+/toml)\.h'
  '#include[[:space:]]*<(thread|mutex|future|condition_variable|fstream|filesystem|random|ctime|atomic)>'
  '_clock::now[[:space:]]*\('
  '(^|[^_[:alnum:]])(getenv|time|clock|rand|srand|gettimeofday|clock_gettime)[[:space:]]*\('
  'std::random_device'
)
found=0
for f in "$dir"/*.hpp "$dir"/*.cpp; do
  # Line comments are dropped first: a comment may speak of time without reading a clock.
  code=$(sed 's://.*$::' "$f")
  for p in "${patterns[@]}"; do
    if out=$(grep -En -- "$p" <<<"$code"); then
      while IFS= read -r line; do echo "domain_purity: forbidden ($p): $f:$line"; done <<<"$out"
      found=1
    fi
  done
done
[ "$found" -eq 0 ] && echo "domain_purity: $(ls "$dir"/*.hpp "$dir"/*.cpp | wc -l) files pure"
exit "$found"
