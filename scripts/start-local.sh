#!/usr/bin/env bash
set -euo pipefail
cd "$(dirname "$0")/.."
# The stack's own persistent Redis unless REDIS_URL names another.
if [ -z "${REDIS_URL:-}" ]; then REDIS_URL="$(bash scripts/local-redis.sh)"; export REDIS_URL; fi
exec npx tsx scripts/start-local.ts
