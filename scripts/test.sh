#!/usr/bin/env bash
# The whole test suite: type check, then unit, integration and end-to-end tests
# in one mocha run against a real Redis and a real LiveKit (started by the harness).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/ensure-redis.sh
npx tsc -p tsconfig.json --noEmit
shopt -s nullglob
files=(test/unit/*.test.ts test/integration/*.test.ts test/e2e/*.test.ts)
# The root hooks fail the run loudly when Redis or LiveKit is missing; they never skip.
npx mocha --require test/support/stack-hooks.ts "$@" "${files[@]}"
# The production rehearsal (needs root): its own stack, from infra/production, in network namespaces.
rehearsal=(test/rehearsal/*.test.ts)
exec npx mocha "$@" "${rehearsal[@]}"
