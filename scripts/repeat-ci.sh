#!/usr/bin/env bash
# Runs CI (.ci/run) N times in a row, each from a fresh clone of this repository at one commit,
# and prints one line per run: how CI on a fresh machine of this kind would have gone, N times.
#   bash scripts/repeat-ci.sh [N=5] [COMMIT=HEAD]
# Each run sets its own ALCOVE_REHEARSAL_PREFIX, so it may run beside a developer's rehearsal.
set -uo pipefail
cd "$(dirname "$0")/.."
runs=${1:-5}
commit=$(git rev-parse --short "${2:-HEAD}")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
for n in $(seq 1 "$runs"); do
  clone="$work/run-$n"
  git clone -q "$PWD" "$clone" && git -C "$clone" checkout -q "$commit"
  started=$(date +%s)
  (cd "$clone" && ALCOVE_REHEARSAL_PREFIX="alcci$n-" CI=true bash .ci/run) > "$work/run-$n.log" 2>&1 < /dev/null
  code=$?
  echo "run $n of $runs at $commit: exit $code in $(( $(date +%s) - started )) s; $(grep -E '^[0-9]+ passed, [0-9]+ failed' "$work/run-$n.log" | tr '\n' ' ')"
  [ "$code" -eq 0 ] || { mkdir -p artifacts; cp "$work/run-$n.log" "artifacts/repeat-ci-run-$n.log"; echo "  log kept in artifacts/repeat-ci-run-$n.log"; }
  rm -rf "$clone"
done
