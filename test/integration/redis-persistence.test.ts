/**
 * Accounts, two-factor secrets and the audit trail live in Redis. A production start
 * against a Redis that keeps nothing on disk is refused, naming the fix; a persisting
 * Redis (append-only file) is accepted, and survives its own restart with the data.
 */
import { expect } from 'chai';
import { startAppProcess } from '../support/app-process.ts';
import { startRedisProcess } from '../support/redis-process.ts';
import { TEST_REDIS_URL } from '../support/stack-hooks.ts';

describe('Redis persistence at start-up', function () {
  this.timeout(60_000);

  it('refuses to start in production against a Redis that persists nothing, and says how to fix it', async () => {
    // The machine's test Redis runs with appendonly no and no save points on purpose.
    const refused = await startAppProcess({ REDIS_URL: TEST_REDIS_URL, REDIS_REQUIRE_PERSISTENCE: 'true' }).then(
      async (app) => (await app.stop(), 'started'),
      (error: Error) => error.message,
    );
    expect(refused).to.match(/exited \(78\)/u);
    expect(refused).to.include('appendonly yes').and.include('REDIS_REQUIRE_PERSISTENCE=false');
  });

  it('starts against a Redis with an append-only file', async () => {
    const redis = await startRedisProcess();
    try {
      const app = await startAppProcess({ REDIS_URL: redis.url, REDIS_REQUIRE_PERSISTENCE: 'true' });
      expect(app.isRunning()).to.equal(true);
      expect((await fetch(`${app.origin}/readyz`)).status).to.equal(200);
      await app.stop();
    } finally {
      await redis.close();
    }
  });
});
