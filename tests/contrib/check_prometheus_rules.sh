#!/usr/bin/env bash
# contrib/prometheus/alerts.yml: valid rules (`promtool check rules`) that fire as documented
# (`promtool test rules alerts_test.yml`). Exit 77 (skipped) without promtool (Debian package
# prometheus, installed by scripts/setup.sh).
set -euo pipefail
cd "$(dirname "$0")/../../contrib/prometheus"
if ! command -v promtool >/dev/null 2>&1; then
  echo "promtool not installed (apt-get install prometheus)"
  exit 77
fi
promtool check rules alerts.yml
promtool test rules alerts_test.yml
