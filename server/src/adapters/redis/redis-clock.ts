/**
 * Redis's clock as seen from this process, so a write can carry a deadline in Redis's
 * own time. A command that times out here may still sit in Redis's socket buffer while
 * Redis is stalled; when it runs after its deadline it must change nothing, or the
 * therapist, told "that failed", would see it take effect seconds later.
 */
import type { RedisClient } from './redis-client.ts';

const REMEASURE_INTERVAL_MS = 60_000;

export interface RedisClock {
  /** A deadline in Redis's clock (epoch ms), `fromNowMs` after now. */
  deadline(fromNowMs: number): number;
  stop(): void;
}

async function measureOffsetMs(redis: RedisClient): Promise<number> {
  const before = Date.now();
  const [seconds, micros] = (await redis.time()) as unknown as [string | number, string | number];
  const after = Date.now();
  const redisMs = Number(seconds) * 1000 + Math.floor(Number(micros) / 1000);
  return redisMs - (before + after) / 2;
}

export async function startRedisClock(redis: RedisClient): Promise<RedisClock> {
  let offsetMs = await measureOffsetMs(redis);
  const timer = setInterval(() => {
    measureOffsetMs(redis).then(
      (measured) => (offsetMs = measured),
      () => undefined, // keep the last good offset through an outage
    );
  }, REMEASURE_INTERVAL_MS);
  timer.unref();
  return { deadline: (fromNowMs) => Math.ceil(Date.now() + offsetMs + fromNowMs), stop: () => clearInterval(timer) };
}
