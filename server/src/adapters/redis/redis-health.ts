/**
 * Whether Redis answers, checked with a short PING every second (and on demand by
 * /readyz). A stall or an outage is logged once when it starts and once when it
 * ends, however many requests fail in between.
 */
import type { Logger } from '../../observability/logger.ts';
import type { RedisClient } from './redis-client.ts';

export const REDIS_PROBE_TIMEOUT_MS = 800;
const PROBE_INTERVAL_MS = 1_000;

export interface RedisHealth {
  /** PINGs now; false after REDIS_PROBE_TIMEOUT_MS without an answer. */
  check(): Promise<boolean>;
  stop(): void;
}

export function watchRedisHealth(redis: RedisClient, logger: Logger, name = 'main'): RedisHealth {
  const probe = redis.withCommandOptions({ timeout: REDIS_PROBE_TIMEOUT_MS });
  let answering = true;
  let since = Date.now();
  const check = async () => {
    const ok = await probe.ping().then(
      (reply) => reply === 'PONG',
      () => false,
    );
    if (ok !== answering) {
      const durationMs = Date.now() - since;
      since = Date.now();
      answering = ok;
      if (ok) logger.info('redis answering again', { event: 'redis.recovered', reason: name, durationMs });
      else logger.warn('redis not answering: requests fail closed with 503', { event: 'redis.stalled', reason: name });
    }
    return ok;
  };
  let running: Promise<boolean> | null = null;
  const timer = setInterval(() => {
    running ??= check().finally(() => (running = null));
  }, PROBE_INTERVAL_MS);
  timer.unref();
  return { check, stop: () => clearInterval(timer) };
}
