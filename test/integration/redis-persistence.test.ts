/**
 * Accounts, two-factor secrets and the audit trail live in Redis. A production start
 * against a Redis that keeps nothing on disk is refused, naming the fix; a persisting
 * Redis (append-only file) is accepted, and a restart of that Redis under a running app loses
 * nothing: the account, the session, a waiting place and the audit trail are all there after it.
 */
import { expect } from 'chai';
import { COMMANDS, HTTP_ROUTES, type WatchSessionResult } from '@alcove/shared';
import { startAppProcess } from '../support/app-process.ts';
import { startRedisProcess } from '../support/redis-process.ts';
import { TEST_REDIS_URL } from '../support/stack-hooks.ts';
import { startTestApp } from '../support/test-app.ts';
import { callRoute, loginTherapist, request } from '../support/api-client.ts';
import { command, connectClient, connectTherapist, newDeviceId, type TypedClientSocket } from '../support/socket-clients.ts';
import { eventually } from '../support/eventually.ts';

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

  it('loses nothing when a Redis with an append-only file restarts under the running app', async () => {
    const redis = await startRedisProcess();
    const sockets: TypedClientSocket[] = [];
    const t = await startTestApp({ redisUrl: redis.url, env: { REDIS_REQUIRE_PERSISTENCE: 'true' } }).catch(async (error: unknown) => {
      await redis.close();
      throw error;
    });
    try {
      const account = await t.addTherapist();
      const therapist = await loginTherapist(t.origin, account.email, account.password);
      const consoleSocket = await connectTherapist(t.origin, therapist.cookie);
      sockets.push(consoleSocket);
      const { session, secrets, invites } = await therapist.createSession('individual');
      const deviceId = newDeviceId();
      const client = await connectClient(t.origin, secrets[0]!, deviceId);
      sockets.push(client);
      expect((await command(client, COMMANDS.checkIn, { displayName: 'Kept Place' })).ok).to.equal(true);
      const before = await command<WatchSessionResult>(consoleSocket, COMMANDS.watchSession, { sessionId: session.sessionId });
      const waitingSince = before.ok ? before.data.participants[0]!.waitingSince : undefined;
      expect(waitingSince).to.be.a('number');
      const auditBefore = await t.app.audit.list({});
      expect(auditBefore.length).to.be.at.least(2);

      // What `systemctl restart` does: SIGTERM (Redis writes out its append-only file), then start.
      await redis.stop();
      await redis.start();
      await eventually(async () => (await request(t.origin, 'GET', '/readyz')).status === 200, 'the app to be ready again', 20_000);

      const again = await loginTherapist(t.origin, account.email, account.password);
      expect(again.cookie).to.not.equal('');
      const after = await eventually(async () => {
        const ack = await command<WatchSessionResult>(consoleSocket, COMMANDS.watchSession, { sessionId: session.sessionId });
        return ack.ok ? ack.data : null;
      }, 'the console to see the session again', 20_000);
      expect(after.participants.map((p) => [p.state, p.waitingSince])).to.deep.equal([['waiting', waitingSince]]);
      const idsAfter = new Set((await t.app.audit.list({})).map((e) => e.id));
      expect(auditBefore.filter((e) => !idsAfter.has(e.id))).to.deep.equal([]);
      expect((await command(consoleSocket, COMMANDS.admit, { sessionId: session.sessionId, participantId: invites[0]!.participantId })).ok).to.equal(true);
      expect((await callRoute(t.origin, HTTP_ROUTES.joinToken, { body: { invite: secrets[0], deviceId } })).status).to.equal(200);
    } finally {
      for (const s of sockets) s.close();
      await t.close();
      await redis.close();
    }
  });
});
