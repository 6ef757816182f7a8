#!/usr/bin/env bash
# Runs every test suite (web, then the Rust workspace) and ends with one summary line of the
# totals, so the last line of the run tells how many tests ran.
set -euo pipefail
cd "$(dirname "$0")/.."
log=$(mktemp)
trap 'rm -f "$log"' EXIT
status=0
(cd web && npm test --silent) 2>&1 | tee -a "$log" || status=1
cargo test --workspace --no-fail-fast --lib --bins --tests -- --test-threads=2 2>&1 | tee -a "$log" || status=1
scripts/fuzz.sh 20 2>&1 | tee -a "$log" || status=1
# Vitest: "Tests  60 passed (60)" or "Tests  1 failed | 59 passed (60)"; cargo: "test result: ok. 10 passed; 0 failed; ..."
sed 's/\x1b\[[0-9;]*m//g' "$log" | awk '
  /^ *Tests +[0-9]+ (passed|failed)/ { for (i = 1; i <= NF; i++) if ($(i+1) ~ /^passed/) p += $i; if (match($0, /[0-9]+ failed/)) f += substr($0, RSTART, RLENGTH) + 0 }
  /^test result:/ { for (i = 1; i <= NF; i++) { if ($(i+1) ~ /^passed/) p += $i; if ($(i+1) ~ /^failed/) f += $i } }
  END { printf "total: %d passed, %d failed\n", p, f }'
exit "$status"
