import type { Logger } from '../../observability/logger.ts';
import type { RedisClient } from './redis-client.ts';

/**
 * The Socket.io streams adapter keeps every broadcast in a Redis stream (for
 * fan-out between instances and for connection-state recovery). Broadcasts can
 * carry display names and waiting-room messages, so the stream is trimmed to
 * what recovery needs — the grace period — instead of the adapter's 10,000
 * entries, and it expires as a whole when no instance is running.
 */
export function startSocketStreamTrimmer(deps: { redis: RedisClient; streamKey: string; keepMs: number; logger: Logger }): () => void {
  const intervalMs = Math.max(500, Math.min(10_000, Math.floor(deps.keepMs / 4)));
  const timer = setInterval(() => {
    const threshold = Date.now() - deps.keepMs;
    deps.redis
      .multi()
      .xTrim(deps.streamKey, 'MINID', threshold)
      .pExpire(deps.streamKey, deps.keepMs + 2 * intervalMs)
      .exec()
      .catch((error: Error) => deps.logger.warn('socket stream trim failed', { errorName: error.name }));
  }, intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}
