#!/usr/bin/env bash
# Starts a throwaway Redis on 127.0.0.1:6379 (nothing kept on disk) when none answers at REDIS_URL.
set -euo pipefail
url="${REDIS_URL:-redis://127.0.0.1:6379}"
if redis-cli -u "$url" ping >/dev/null 2>&1; then exit 0; fi
case "$url" in
  redis://127.0.0.1:6379*|redis://localhost:6379*) ;;
  *) echo "ensure-redis: no Redis answers at REDIS_URL and it is not the local default; start it yourself" >&2; exit 1 ;;
esac
echo "ensure-redis: starting redis-server on 127.0.0.1:6379"
mkdir -p /tmp/alcove-redis
redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no --dir /tmp/alcove-redis --logfile /tmp/alcove-redis/redis.log
for _ in $(seq 1 50); do
  redis-cli -u "$url" ping >/dev/null 2>&1 && exit 0
  sleep 0.1
done
echo "ensure-redis: redis-server did not start" >&2
exit 1
