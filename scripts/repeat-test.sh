#!/usr/bin/env bash
# Runs the given test files N times, each time in a new mocha process against the real stack,
# and prints one line per run with its counts and duration: how a flaky test shows itself.
#   bash scripts/repeat-test.sh 20 test/e2e/keyboard-only.test.ts test/e2e/console-focus.test.ts
set -uo pipefail
cd "$(dirname "$0")/.."
runs=$1
shift
for n in $(seq 1 "$runs"); do
  started=$(date +%s)
  # Bounded: a hung run is ended after 10 minutes and counts as failed.
  counts=$(timeout 600 npx mocha --require test/support/stack-hooks.ts "$@" 2>&1 | grep -E '^[0-9]+ passed, [0-9]+ failed' || echo 'no result (timed out or crashed)')
  echo "run $n of $runs: $counts in $(( $(date +%s) - started )) s"
done
