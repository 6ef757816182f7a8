#!/usr/bin/env bash
# Runs each cargo-fuzz target (fuzz/fuzz_targets) for SECONDS (default 20) from its seeds in
# fuzz/seeds, on a scratch corpus, and ends with a cargo-style result line for the test summary.
# A crash stops the run and leaves its input under fuzz/artifacts/<target>/ to reproduce with
# `cargo +nightly fuzz run <target> fuzz/artifacts/<target>/<file>`.
set -euo pipefail
cd "$(dirname "$0")/../fuzz"
secs=${1:-20}
# Beside the main build's cache, never inside it: a nightly build with coverage flags.
target_dir=${MIRI_FUZZ_TARGET_DIR:-$(dirname "${CARGO_TARGET_DIR:-$PWD/../target}")/fuzz-target}
targets=(webhook prompt)
passed=0
for t in "${targets[@]}"; do
  corpus=$(mktemp -d)
  cp seeds/"$t"/* "$corpus"/
  # No sanitizer: the targets are safe Rust, so libFuzzer looks for panics, overflows and
  # failed assertions (debug assertions stay on), and builds twice as fast as with ASan.
  if cargo +nightly fuzz run --sanitizer none --target-dir "$target_dir" "$t" "$corpus" -- \
      -max_total_time="$secs" -rss_limit_mb=2048 -print_final_stats=1 2> "$corpus.log"; then
    runs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$corpus.log" | grep -o '[0-9]*$' || echo '?')
    echo "fuzz $t: $runs inputs in ${secs} s, no crash"
    passed=$((passed + 1))
  else
    tail -40 "$corpus.log"
    echo "fuzz $t: FAILED (the input is under fuzz/artifacts/$t/)"
    echo "test result: FAILED. $passed passed; 1 failed"
    exit 1
  fi
  rm -rf "$corpus" "$corpus.log"
done
echo "test result: ok. $passed passed; 0 failed"
