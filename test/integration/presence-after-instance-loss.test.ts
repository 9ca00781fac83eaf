/**
 * Presence never lies, whichever instance held the socket: when the app instance holding
 * a waiting client's connection is killed (-9) or drained (SIGTERM, every deploy), another
 * instance shows the client as reconnecting within seconds and gives the place up within
 * the grace period + 5 s, from deadlines kept in Redis and swept by any instance.
 */
import { expect } from 'chai';
import { COMMANDS, FACTS, HTTP_ROUTES } from '@alcove/shared';
import { startAppProcess } from '../support/app-process.ts';
import { randomPrefix, startTestApp, type TestApp } from '../support/test-app.ts';
import { loginTherapist, type TherapistClient } from '../support/api-client.ts';
import { command, connectClient, connectTherapist, nextEvent, type TypedClientSocket } from '../support/socket-clients.ts';
import { INSTANCE_SILENCE_MS } from '../../server/src/waiting-room/presence-sweeper.ts';
import { createClient } from 'redis';
import { createRedisKeys } from '../../server/src/adapters/redis/keys.ts';
import { eventually } from '../support/eventually.ts';
import { readMetric } from '../support/app-metrics.ts';
import { TEST_REDIS_URL } from '../support/stack-hooks.ts';

const GRACE_SECONDS = 5;
/** What the issue promises: gone within the grace period plus five seconds. */
const LEFT_WITHIN_MS = GRACE_SECONDS * 1000 + 5_000;
/** Reconnecting once the dead instance has been silent long enough to be swept (plus a sweep). */
const RECONNECTING_WITHIN_MS = INSTANCE_SILENCE_MS + 5_000;

/** alcove_instance_takeovers_total{cause} on the survivor's /metrics. */
const takeOvers = (app: TestApp, cause: 'drained' | 'silent') => readMetric(app.app.metricsPort()!, 'alcove_instance_takeovers_total', { cause });

describe('presence after the instance holding a client is lost', function () {
  this.timeout(60_000);
  const prefix = randomPrefix();
  const env = { WAITING_GRACE_SECONDS: String(GRACE_SECONDS), REDIS_PREFIX: prefix };
  let survivor: TestApp;
  let therapist: TherapistClient;
  let consoleSocket: TypedClientSocket;

  before(async () => {
    survivor = await startTestApp({ prefix, env: { WAITING_GRACE_SECONDS: String(GRACE_SECONDS), METRICS_PORT: '0' } });
    const account = await survivor.addTherapist();
    therapist = await loginTherapist(survivor.origin, account.email, account.password);
    consoleSocket = await connectTherapist(survivor.origin, therapist.cookie);
  });
  after(async () => {
    consoleSocket?.close();
    await survivor?.close();
  });

  it('does not warn that a freshly started instance was taken for dead', async () => {
    // Its first heartbeat adds it to the ledger; that is not the "swept while paused" case.
    const fresh = await startAppProcess({ REDIS_PREFIX: randomPrefix() });
    const redis = createClient({ url: TEST_REDIS_URL });
    await redis.connect();
    try {
      const key = createRedisKeys(fresh.redisPrefix).instances();
      const beats = new Set<number>();
      await eventually(async () => {
        for (const { score } of await redis.zRangeWithScores(key, 0, -1)) beats.add(score);
        return beats.size >= 3;
      }, 'three heartbeats of the new instance');
      const warned = fresh.lines.filter(({ text }) => text.includes('"event":"presence.reaffirmed"'));
      expect(warned.map((l) => l.text)).to.deep.equal([]);
    } finally {
      await redis.quit();
      await fresh.stop();
    }
  });

  for (const signal of ['SIGKILL', 'SIGTERM'] as const) {
    it(`shows the client reconnecting, then gone within grace + 5 s, after ${signal} of its instance`, async () => {
      const doomed = await startAppProcess(env);
      try {
        const { session, secrets, invites } = await therapist.createSession('individual');
        const participantId = invites[0]!.participantId;
        const client = await connectClient(doomed.origin, secrets[0]!);
        client.io.reconnection(false); // the client does not come back
        const waiting = nextEvent(consoleSocket, FACTS.presenceUpdated, (f) => f.participant.participantId === participantId && f.participant.state === 'waiting', 10_000);
        expect((await command(client, COMMANDS.checkIn, { displayName: 'Waiting Client' })).ok).to.equal(true);
        await waiting;

        const reconnecting = nextEvent(consoleSocket, FACTS.presenceUpdated, (f) => f.participant.participantId === participantId && f.participant.state === 'reconnecting', RECONNECTING_WITHIN_MS);
        const left = nextEvent(consoleSocket, FACTS.presenceUpdated, (f) => f.participant.participantId === participantId && f.participant.state === 'left', LEFT_WITHIN_MS + 2_000);
        const cause = signal === 'SIGTERM' ? 'drained' : 'silent';
        const takeOversBefore = await takeOvers(survivor, cause);
        const killedAt = Date.now();
        await doomed.kill(signal);
        await reconnecting;
        await left;
        expect(Date.now() - killedAt).to.be.below(LEFT_WITHIN_MS);
        const detail = await therapist.call(HTTP_ROUTES.getSession, { params: { sessionId: session.sessionId } });
        expect(detail.body.participants[0].state).to.equal('left');
        // The operator sees it too: a drain (SIGTERM) or a death (SIGKILL), counted by the instance that took over.
        expect(await takeOvers(survivor, cause)).to.equal(takeOversBefore + 1);
        client.close();
      } finally {
        await doomed.stop();
      }
    });
  }
});
