/**
 * Redis without a single point of failure: the app reaches Redis through node-redis's Sentinel
 * client, and a primary killed with SIGKILL while clients wait is replaced by its replica. While
 * the switch is under way every access decision fails closed (no token, `service_unavailable`);
 * once the sentinels have promoted the replica, everything works again by itself with nothing
 * lost: the account, the session, both waiting places (same `waitingSince`) and the audit trail.
 * Two app instances share the group, the therapist on one and the clients on the other, so the
 * Socket.io adapter's own connection is shown following the failover too (the admission reaches
 * the client through it).
 *
 * Real processes on loopback: one primary, one replica, three sentinels (redis-sentinel-group.ts).
 * The time from the kill to the first admission that works again is printed, never asserted.
 */
import { expect } from 'chai';
import { createClient } from 'redis';
import { COMMANDS, FACTS, HTTP_ROUTES, type WatchSessionResult } from '@alcove/shared';
import { randomPrefix, startTestApp, type TestApp } from '../support/test-app.ts';
import { callRoute, loginTherapist, request } from '../support/api-client.ts';
import { command, connectClient, connectTherapist, newDeviceId, nextEvent, type TypedClientSocket } from '../support/socket-clients.ts';
import { SENTINEL_DOWN_AFTER_MS, startRedisSentinelGroup, type RedisSentinelGroup } from '../support/redis-sentinel-group.ts';
import { eventually } from '../support/eventually.ts';
import { watchEventLoop, type EventLoopWatchdog } from '../support/event-loop-watchdog.ts';
import { REDIS_COMMAND_TIMEOUT_MS } from '../../server/src/adapters/redis/redis-client.ts';
import { createRedisKeys } from '../../server/src/adapters/redis/keys.ts';
import { gatherFacts } from '../../server/src/operations/doctor/gather-facts.ts';
import { checkRedisPersistence } from '../../server/src/operations/doctor/redis-persistence-check.ts';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const HEAL_TIMEOUT_MS = 30_000;
/** A refusal comes within the reply deadline, plus scheduling slack on a loaded machine. */
const FAIL_CLOSED_BOUND_MS = REDIS_COMMAND_TIMEOUT_MS + 1_500;

describe('Redis Sentinel failover', function () {
  this.timeout(120_000);
  let group: RedisSentinelGroup | undefined;
  let watchdog: EventLoopWatchdog | undefined;
  const apps: TestApp[] = [];
  const sockets: TypedClientSocket[] = [];

  before(async () => {
    // A client spinning on a dead primary would freeze this process, mocha's timeouts included.
    watchdog = watchEventLoop('the Sentinel failover test');
    group = await startRedisSentinelGroup();
  });
  after(async () => {
    for (const s of sockets) s.close();
    await Promise.allSettled(apps.map((a) => a.close()));
    await group?.close();
    await watchdog?.stop();
  });

  async function readOnPrimary<T>(port: number, work: (client: ReturnType<typeof createClient>) => Promise<T>): Promise<T> {
    const client = createClient({ url: `redis://127.0.0.1:${port}`, socket: { connectTimeout: 2_000, reconnectStrategy: false } });
    client.on('error', () => undefined);
    await client.connect();
    try {
      return await work(client);
    } finally {
      client.destroy();
    }
  }

  it('lets alcove doctor find the primary through the sentinels and read its persistence', async () => {
    const g = group!;
    const configDir = mkdtempSync(join(tmpdir(), 'alcove-doctor-'));
    try {
      writeFileSync(join(configDir, 'app.env'), `REDIS_SENTINELS=${g.sentinelsEnv}\nREDIS_SENTINEL_NAME=${g.name}\n`, { mode: 0o600 });
      const facts = await gatherFacts(configDir);
      expect(facts.redis).to.deep.include({ ok: true, aofEnabled: true });
      expect(checkRedisPersistence(facts)[0]!.status).to.equal('ok');
      writeFileSync(join(configDir, 'app.env'), `REDIS_SENTINELS=${g.sentinelsEnv}\nREDIS_SENTINEL_NAME=not-monitored\n`, { mode: 0o600 });
      const wrong = checkRedisPersistence(await gatherFacts(configDir))[0]!;
      expect(wrong.status).to.equal('fail');
      expect(wrong.message).to.include('REDIS_SENTINELS');
    } finally {
      rmSync(configDir, { recursive: true, force: true });
    }
  });

  it('fails closed while the primary is switched, then heals with nothing lost', async () => {
    const g = group!;
    const prefix = randomPrefix();
    const env = { REDIS_SENTINELS: g.sentinelsEnv, REDIS_SENTINEL_NAME: g.name, WAITING_GRACE_SECONDS: '60' };
    const consoleApp = await startTestApp({ prefix, env });
    apps.push(consoleApp);
    const clientApp = await startTestApp({ prefix, env, receivesWebhooks: false });
    apps.push(clientApp);
    expect(consoleApp.config.redis.sentinel?.sentinels).to.have.length(3);

    const account = await consoleApp.addTherapist();
    const therapist = await loginTherapist(consoleApp.origin, account.email, account.password);
    const consoleSocket = await connectTherapist(consoleApp.origin, therapist.cookie);
    sockets.push(consoleSocket);
    const { session, secrets, invites } = await therapist.createSession('couple');
    const sessionId = session.sessionId;
    const devices = [newDeviceId(), newDeviceId()];
    const clients = await Promise.all(secrets.map((secret, i) => connectClient(clientApp.origin, secret, devices[i])));
    sockets.push(...clients);
    for (const [i, client] of clients.entries()) expect((await command(client, COMMANDS.checkIn, { displayName: `Waiting ${i}` })).ok).to.equal(true);
    const watched = await command<WatchSessionResult>(consoleSocket, COMMANDS.watchSession, { sessionId });
    expect(watched.ok && watched.data.participants.map((p) => p.state)).to.deep.equal(['waiting', 'waiting']);
    const placesBefore = watched.ok ? watched.data.participants.map((p) => [p.participantId, p.waitingSince]) : [];

    // What must survive, read from the primary itself.
    const keys = createRedisKeys(prefix);
    const auditBefore = await readOnPrimary(g.primaryPort, (c) => c.xRange(keys.auditStream(), '-', '+'));
    expect(auditBefore.length, 'the login and the session were audited').to.be.at.least(2);
    const sync = await g.waitForReplicaInSync();
    console.log(`      replica in sync before the kill: primary offset ${sync.primaryOffset}, replica offset ${sync.replicaOffset}`);

    const sentinelConnectionsBefore = await g.sentinelConnectionsReceived();
    g.killPrimary();
    const killedAt = Date.now();

    // While the sentinels still name the dead primary, every decision that needs Redis fails closed.
    let refusals = 0;
    while ((await g.currentPrimaryPort()) === g.primaryPort && Date.now() - killedAt < HEAL_TIMEOUT_MS) {
      const startedAt = Date.now();
      const [admit, token, ready] = await Promise.all([
        command(consoleSocket, COMMANDS.admit, { sessionId, participantId: invites[0]!.participantId }, 8_000).then((ack) => ({ ack, ms: Date.now() - startedAt })),
        callRoute(clientApp.origin, HTTP_ROUTES.joinToken, { body: { invite: secrets[1], deviceId: devices[1] } }),
        request(consoleApp.origin, 'GET', '/readyz'),
      ]);
      // The answers count only if the sentinels still named the dead primary after they came (a promotion is never undone).
      if ((await g.currentPrimaryPort()) !== g.primaryPort) break;
      expect(admit.ack.ok, 'an admission while the primary is gone').to.equal(false);
      if (!admit.ack.ok) expect(admit.ack.error.code).to.equal('service_unavailable');
      expect(admit.ms).to.be.below(FAIL_CLOSED_BOUND_MS);
      expect(token.status, 'a token request while the primary is gone').to.equal(503);
      expect(token.body).to.not.have.property('token');
      expect(token.body.error.code).to.equal('service_unavailable');
      expect(ready.status, 'readiness while the primary is gone').to.equal(503);
      refusals += 1;
    }
    expect(refusals, 'at least one decision was asked for during the switch').to.be.at.least(1);
    expect(await g.currentPrimaryPort()).to.equal(g.replicaPort);

    // After the promotion: the first admission that works, and it reaches the client on the other instance.
    const admittedFact = nextEvent(clients[0]!, FACTS.admitted, () => true, HEAL_TIMEOUT_MS);
    await eventually(
      async () => (await command(consoleSocket, COMMANDS.admit, { sessionId, participantId: invites[0]!.participantId }, 8_000)).ok,
      'an admission to work again after the promotion',
      HEAL_TIMEOUT_MS,
      200,
    );
    const healedMs = Date.now() - killedAt;
    const sentinelConnections = (await g.sentinelConnectionsReceived()) - sentinelConnectionsBefore;
    console.log(`      healed ${healedMs} ms after kill -9 of the primary (sentinel down-after ${SENTINEL_DOWN_AFTER_MS} ms; ${refusals} refused rounds meanwhile; ${sentinelConnections} connections to the sentinels meanwhile)`);
    expect(await admittedFact).to.deep.equal({ sessionId });
    const token = await callRoute(clientApp.origin, HTTP_ROUTES.joinToken, { body: { invite: secrets[0], deviceId: devices[0] } });
    expect(token.status).to.equal(200);
    expect(token.body.identity).to.equal(invites[0]!.participantId);
    for (const app of apps) await eventually(async () => (await request(app.origin, 'GET', '/readyz')).status === 200, 'both instances ready again', HEAL_TIMEOUT_MS);

    // Nothing lost: the session and both places (the second client still waiting since the same time),
    const detail = await therapist.call(HTTP_ROUTES.getSession, { params: { sessionId } });
    expect(detail.status).to.equal(200);
    // Waited on, not read once: an instance that heals seconds after the other may briefly be taken for
    // dead and its clients shown as reconnecting until its next beat reaffirms them (presence-sweeper.ts).
    const after = await eventually(async () => {
      const ack = await command<WatchSessionResult>(consoleSocket, COMMANDS.watchSession, { sessionId });
      return ack.ok && ack.data.participants.map((p) => p.state).join() === 'admitted,waiting' ? ack.data : null;
    }, 'the console to show one client admitted and the other still waiting', HEAL_TIMEOUT_MS);
    const placesAfter = after.participants.map((p) => [p.participantId, p.waitingSince]);
    expect(placesAfter[1]).to.deep.equal(placesBefore[1]);
    // the account (a new login with the same password),
    const again = await loginTherapist(consoleApp.origin, account.email, account.password);
    expect(again.cookie).to.be.a('string').and.not.equal('');
    // and every audit entry written before the kill, now on the promoted replica.
    const auditAfter = await readOnPrimary(g.replicaPort, (c) => c.xRange(keys.auditStream(), '-', '+'));
    const idsAfter = new Set(auditAfter.map((e) => e.id));
    expect(auditBefore.filter((e) => !idsAfter.has(e.id))).to.deep.equal([]);
    expect(auditAfter.some((e) => e.message.event === 'admitted')).to.equal(true);
  });
});
