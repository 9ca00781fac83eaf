#!/usr/bin/env bash
# The local stack's own Redis: 127.0.0.1:6390, append-only file in .local/redis, so the demo
# therapist, sessions and audit trail survive a restart of Redis or of the machine's session.
# (The tests keep using the throwaway Redis of scripts/ensure-redis.sh.) Prints its URL.
set -euo pipefail
cd "$(dirname "$0")/.."
port="${ALCOVE_LOCAL_REDIS_PORT:-6390}"
url="redis://127.0.0.1:${port}"
dir="$PWD/.local/redis"
if ! redis-cli -p "$port" ping >/dev/null 2>&1; then
  mkdir -p "$dir"
  redis-server --daemonize yes --bind 127.0.0.1 --port "$port" --protected-mode yes \
    --appendonly yes --appendfsync everysec --save "" --dir "$dir" \
    --pidfile "$dir/redis.pid" --logfile "$dir/redis.log" >/dev/null
  for _ in $(seq 1 50); do
    redis-cli -p "$port" ping >/dev/null 2>&1 && break
    sleep 0.1
  done
  redis-cli -p "$port" ping >/dev/null 2>&1 || { echo "local-redis: redis-server did not start (see $dir/redis.log)" >&2; exit 1; }
fi
echo "$url"
