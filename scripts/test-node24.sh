#!/usr/bin/env bash
# The unit and integration tiers again under Node 24 LTS (the README's `npm test`
# covers Node 20 and the end-to-end tier). Redis must answer as for `npm test`;
# LiveKit is started by the test harness.
set -euo pipefail
cd "$(dirname "$0")/.."
node24=$(bash scripts/node24.sh)
# npx, tsx and mocha resolve `node` from PATH, so every process of the run is Node 24.
export PATH="$(dirname "$node24"):$PATH"
version=$(node --version)
case "$version" in
  v24.*) ;;
  *) echo "test-node24: expected Node 24 on PATH, got $version" >&2; exit 1 ;;
esac
echo "test-node24: node $version" >&2
bash scripts/ensure-redis.sh
shopt -s nullglob
files=(test/unit/*.test.ts test/integration/*.test.ts)
exec npx mocha --require test/support/stack-hooks.ts "$@" "${files[@]}"
