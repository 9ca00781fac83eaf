#!/usr/bin/env bash
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/ensure-redis.sh
exec npx tsx scripts/start-local.ts
