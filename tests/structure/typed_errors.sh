#!/usr/bin/env bash
# shopsync's own failures are typed (src/domain/error_kind.hpp): logic branches on error::kind,
# never on the code strings of those kinds, and such errors are made from their kind (so they
# carry it). Shopify's codes ("THROTTLED", userErrors codes) stay strings and are not looked at.
# Prints each offending line; exit 1 if any.
# Usage: typed_errors.sh [SRC_DIR]   (default: the repository's src)
set -uo pipefail
dir=${1:-"$(dirname "$0")/../../src"}
[ -d "$dir" ] || { echo "typed_errors: no directory $dir"; exit 2; }
own='(admin|outbox\.write_failed|shopsync\.not_stocked|shopsync\.key_expired|auth\.refused|auth\.unavailable|order_reconcile\.gone|order_actor\.no_answer|order_api\.bad_response|shopify\.no_data)'
consts='(unauthorized_code|outbox_write_failed_code|level_not_stocked_code|write_applied_unseen_code|write_expired_code|exceeds_bucket_code)'
patterns=(
  "rfind\\(\"$own"
  "starts_with\\(\"$own"
  "code[[:space:]]*[!=]=[[:space:]]*\"$own"
  "code[[:space:]]*[!=]=[[:space:]]*$consts"
  "error\\{\"$own[._]"
  "error\\{$consts"
)
found=0
while IFS= read -r f; do
  code=$(sed 's://.*$::' "$f")
  for p in "${patterns[@]}"; do
    if out=$(grep -En -- "$p" <<<"$code"); then
      while IFS= read -r line; do echo "typed_errors: string code ($p): $f:$line"; done <<<"$out"
      found=1
    fi
  done
done < <(find "$dir" -name '*.hpp' -o -name '*.cpp' | sort)
[ "$found" -eq 0 ] && echo "typed_errors: no own error code compared or made as a string in $dir"
exit "$found"
