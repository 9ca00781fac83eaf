#!/usr/bin/env bash
# The signaling benchmark (bench/run.ts): tokens per second against a bare
# signing ceiling, a top-of-the-hour surge, and server RSS per client, on a real
# local stack. Arguments are passed on, e.g. `npm run bench -- --cpu-prof`.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/ensure-redis.sh
exec npx tsx bench/run.ts "$@"
