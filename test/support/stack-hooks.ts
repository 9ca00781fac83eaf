/**
 * Mocha root hooks for integration and e2e tests: a missing service fails the
 * run loudly, never skips. Redis must answer at REDIS_URL; LiveKit is started here.
 */
import { createClient } from 'redis';
import { livekitStack } from './livekit-stack.ts';

export const TEST_REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

export const mochaHooks = {
  async beforeAll(this: Mocha.Context) {
    this.timeout(60_000);
    const redis = createClient({ url: TEST_REDIS_URL, socket: { connectTimeout: 2000, reconnectStrategy: false } });
    redis.on('error', () => undefined);
    try {
      await redis.connect();
      await redis.ping();
    } catch {
      throw new Error(`Redis is required for these tests and does not answer at ${TEST_REDIS_URL} (run scripts/ensure-redis.sh)`);
    } finally {
      await redis.close().catch(() => undefined);
    }
    await livekitStack();
  },
  async afterAll(this: Mocha.Context) {
    this.timeout(15_000);
    await (await livekitStack()).stop();
  },
};
