#!/usr/bin/env bash
# Runs the given test files N times, each time in a new mocha process against the real stack,
# and prints one line per run with its counts and duration: how a flaky test shows itself.
# Each run's whole output is kept in $REPEAT_LOG_DIR (default .local/repeat/<time>/run-N.log),
# so a failure can be explained afterwards.
#   bash scripts/repeat-test.sh 20 test/e2e/keyboard-only.test.ts test/e2e/console-focus.test.ts
set -uo pipefail
cd "$(dirname "$0")/.."
runs=$1
shift
logs=${REPEAT_LOG_DIR:-.local/repeat/$(date +%Y%m%d-%H%M%S)}
mkdir -p "$logs"
for n in $(seq 1 "$runs"); do
  started=$(date +%s)
  # Bounded: a hung run is ended after 10 minutes and counts as failed.
  timeout 600 npx mocha --require test/support/stack-hooks.ts "$@" > "$logs/run-$n.log" 2>&1
  counts=$(grep -E '^[0-9]+ passed, [0-9]+ failed' "$logs/run-$n.log" || echo 'no result (timed out or crashed)')
  echo "run $n of $runs: $counts in $(( $(date +%s) - started )) s (log: $logs/run-$n.log)"
done
