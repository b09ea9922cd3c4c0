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
# The rest of shopsync's own codes (their kinds follow shopify_no_data in error_kind.hpp).
owned='(order\.(not_found|ambiguous|group_gone)"|config\.invalid"|storage(\.schema)?"|inbox\.corrupt"|outbox\.corrupt"|(mapping|state)\.corrupt"|order_state\.decode"|order_reconcile\.(decode|bad_response)"|backup\.|control\.(bind|in_use)"|webhook_server\.|doctor\.timeout"|keeper\.request_failed"|webhook\.(missing_topic|missing_id|unknown_topic|malformed|missing_field|wrong_type)"|auth\.(state|unknown_store|not_code_grant|unknown_app|random|bad_response)"|shopify\.(error|graphql_error|user_errors|app_uninstalled)"|subscription_api\.bad_response"|bulk\.)'
# Own codes that are single words: the control socket's. The daemon's control answers carry
# some of these words as the control protocol's reply codes (strings on the wire, classified
# by control_outcome): only an error's code (`.code`) compared with them is one of ours.
words='(not_running|io|bad_path|access_denied|timeout|bad_reply|bad_request|unknown_command|not_found|bad_log_level)"'
patterns=(
  "rfind\\(\"$own"
  "starts_with\\(\"$own"
  "code[[:space:]]*[!=]=[[:space:]]*\"$own"
  "code[[:space:]]*[!=]=[[:space:]]*$consts"
  "error\\{\"$own[._]"
  "error\\{$consts"
  "rfind\\(\"$owned"
  "starts_with\\(\"$owned"
  "code[[:space:]]*[!=]=[[:space:]]*\"$owned"
  "\\.code[[:space:]]*[!=]=[[:space:]]*\"$words"
  "(^|[^a-z_])error[{(]\"$owned"
  "(^|[^a-z_])error[{(]\"$words"
)
any=()
for p in "${patterns[@]}"; do any+=(-e "$p"); done
found=0
while IFS= read -r f; do
  code=$(sed 's://.*$::' "$f")
  grep -Eq "${any[@]}" <<<"$code" || continue # most files: one grep, nothing found
  for p in "${patterns[@]}"; do
    if out=$(grep -En -- "$p" <<<"$code"); then
      while IFS= read -r line; do echo "typed_errors: string code ($p): $f:$line"; done <<<"$out"
      found=1
    fi
  done
done < <(find "$dir" -name '*.hpp' -o -name '*.cpp' | sort)
[ "$found" -eq 0 ] && echo "typed_errors: no own error code compared or made as a string in $dir"
exit "$found"
