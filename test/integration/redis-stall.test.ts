/**
 * A stalled Redis (SIGSTOP: connections open, nothing answered — a paused VM, a swap storm,
 * a failover in progress) must fail closed *fast*: 503 within the command timeout, /readyz
 * 503 within a second, one log line for the stall and one for its end, and nothing the
 * caller was told failed may take effect once Redis runs again — an admit, and an admitted client's
 * socket token request, which is refused, signs nothing, and succeeds on the same socket afterwards.
 */
import { expect } from 'chai';
import { COMMANDS, FACTS, HTTP_ROUTES, type MediaTokenResponse } from '@alcove/shared';
import { startTestApp, type TestApp } from '../support/test-app.ts';
import { loginTherapist, request, type TherapistClient, callRoute } from '../support/api-client.ts';
import { command, connectClient, connectTherapist, newDeviceId, nextEvent, type TypedClientSocket } from '../support/socket-clients.ts';
import { startRedisProcess, type RedisProcess } from '../support/redis-process.ts';
import { eventually } from '../support/eventually.ts';
import { connectRedis } from '../../server/src/adapters/redis/redis-client.ts';
import { createRedisKeys } from '../../server/src/adapters/redis/keys.ts';
import { createRedisParticipantStore } from '../../server/src/adapters/redis/participant-store.ts';
import { REDIS_COMMAND_TIMEOUT_MS } from '../../server/src/adapters/redis/redis-client.ts';
import { createLogger } from '../../server/src/observability/logger.ts';
import { randomPrefix } from '../support/test-app.ts';
import { readMetric } from '../support/app-metrics.ts';

/** The bound each answer must come within: the command timeout plus generous scheduling slack. */
const FAIL_FAST_BOUND_MS = REDIS_COMMAND_TIMEOUT_MS + 1_500;

/** alcove_redis_errors_total{connection="main"} from the app's own /metrics. */
const redisErrorsCounted = (t: TestApp) => readMetric(t.app.metricsPort()!, 'alcove_redis_errors_total', { connection: 'main' });
/** Client media tokens the app has signed: alcove_token_issue_seconds_count{holder="client"}. */
const tokensIssued = (t: TestApp) => readMetric(t.app.metricsPort()!, 'alcove_token_issue_seconds_count', { holder: 'client' });

async function timed<T>(work: () => Promise<T>): Promise<{ value: T; ms: number }> {
  const started = Date.now();
  const value = await work();
  return { value, ms: Date.now() - started };
}

describe('Redis stalled', function () {
  this.timeout(60_000);
  let redis: RedisProcess;
  let t: TestApp;
  let therapist: TherapistClient;
  let consoleSocket: TypedClientSocket;
  const sockets: TypedClientSocket[] = [];

  before(async () => {
    redis = await startRedisProcess();
    t = await startTestApp({ redisUrl: redis.url, env: { METRICS_PORT: '0' } });
    const account = await t.addTherapist();
    therapist = await loginTherapist(t.origin, account.email, account.password);
    consoleSocket = await connectTherapist(t.origin, therapist.cookie);
  });
  afterEach(() => redis.resume());
  after(async () => {
    for (const s of sockets) s.close();
    consoleSocket?.close();
    redis?.resume();
    await t?.close();
    await redis?.close();
  });

  it('answers 503 within the command timeout, readiness 503 within a second, logs the stall once, and an admit it refused never happens later', async () => {
    const { session, secrets, invites } = await therapist.createSession('individual');
    await therapist.start(session.sessionId);
    const deviceId = newDeviceId();
    const client = await connectClient(t.origin, secrets[0]!, deviceId);
    sockets.push(client);
    expect((await command(client, COMMANDS.checkIn, { displayName: 'Waiting Person' })).ok).to.equal(true);
    const logsBefore = t.logs.length;
    const errorsBefore = await redisErrorsCounted(t);

    redis.pause();
    const ready = await timed(() => request(t.origin, 'GET', '/readyz'));
    expect(ready.value.status).to.equal(503);
    expect(ready.ms).to.be.below(1_500);
    const token = await timed(() => callRoute(t.origin, HTTP_ROUTES.joinToken, { body: { invite: secrets[0], deviceId } }));
    expect(token.value.status).to.equal(503);
    expect(token.value.body.error.code).to.equal('service_unavailable');
    expect(token.ms).to.be.below(FAIL_FAST_BOUND_MS);
    const admit = await timed(() => command(consoleSocket, COMMANDS.admit, { sessionId: session.sessionId, participantId: invites[0]!.participantId }, 8_000));
    expect(admit.value.ok).to.equal(false);
    if (!admit.value.ok) expect(admit.value.error.code).to.equal('service_unavailable');
    expect(admit.ms).to.be.below(FAIL_FAST_BOUND_MS);
    for (let i = 0; i < 5; i += 1) await callRoute(t.origin, HTTP_ROUTES.listSessions, { cookie: therapist.cookie });
    await eventually(() => t.logs.slice(logsBefore).some((line) => line.includes('"event":"redis.stalled"')), 'the stall to be logged');

    redis.resume();
    await eventually(() => t.logs.slice(logsBefore).some((line) => line.includes('"event":"redis.recovered"')), 'the recovery to be logged');
    // The commands that timed out are on the operator's dashboard too.
    expect(await redisErrorsCounted(t)).to.be.at.least(errorsBefore + 2);
    expect((await request(t.origin, 'GET', '/readyz')).status).to.equal(200);
    const lines = t.logs.slice(logsBefore).map((line) => JSON.parse(line) as { event?: string });
    expect(lines.filter((l) => l.event === 'redis.stalled')).to.have.length(1);
    expect(lines.filter((l) => l.event === 'redis.recovered')).to.have.length(1);
    // What Redis had queued while frozen has run by now: the refused admit did not take effect.
    await request(t.origin, 'GET', '/readyz');
    const detail = await therapist.call(HTTP_ROUTES.getSession, { params: { sessionId: session.sessionId } });
    expect(detail.body.participants[0].state).to.equal('waiting');
    // And everything works again.
    const again = await command(consoleSocket, COMMANDS.admit, { sessionId: session.sessionId, participantId: invites[0]!.participantId });
    expect(again.ok).to.equal(true);
    expect((await callRoute(t.origin, HTTP_ROUTES.joinToken, { body: { invite: secrets[0], deviceId } })).status).to.equal(200);
  });

  it('refuses an admitted client’s socket token request with service_unavailable within the command timeout, issues nothing, and gives the token once Redis runs again', async () => {
    const { session, invites, secrets } = await therapist.createSession('individual');
    const sessionId = session.sessionId;
    const participantId = invites[0]!.participantId;
    await therapist.start(sessionId);
    const client = await connectClient(t.origin, secrets[0]!, newDeviceId());
    sockets.push(client);
    expect((await command(client, COMMANDS.checkIn, { displayName: 'Waiting Person' })).ok).to.equal(true);
    const admitted = nextEvent(client, FACTS.admitted);
    expect((await command(consoleSocket, COMMANDS.admit, { sessionId, participantId })).ok).to.equal(true);
    await admitted;
    const issuedBefore = await tokensIssued(t);
    const logsBefore = t.logs.length;

    redis.pause();
    // The ack's own limit is far above the bound: a late answer would fail on the bound, not time out.
    const refused = await timed(() => command<MediaTokenResponse>(client, COMMANDS.requestMediaToken, { sessionId }, 8_000));
    expect(refused.value).to.deep.equal({ ok: false, error: { code: 'service_unavailable', message: 'The service is briefly unavailable. Please try again.' } });
    expect(refused.ms).to.be.below(FAIL_FAST_BOUND_MS);
    expect(client.connected, 'the socket stays for the retry').to.equal(true);

    redis.resume();
    // Not the recovery log line: one refused request can stall Redis for less than the health
    // probe takes to call it stalled (a PING sent during the pause is answered at the resume), and
    // then there is no stall to recover from. Readiness PINGs on the same connection, after what
    // Redis held while frozen: once it answers, the redemption has run — it counted one request
    // and issued nothing: no token was signed, none logged, none on /metrics.
    await eventually(async () => (await request(t.origin, 'GET', '/readyz')).status === 200, 'Redis to answer the readiness probe again');
    expect(await t.app.redis.get(`${t.config.redis.prefix}rate:token-invite:${participantId}`)).to.equal('1');
    expect(await tokensIssued(t)).to.equal(issuedBefore);
    expect(t.logs.slice(logsBefore).filter((line) => line.includes('"event":"token.issued"'))).to.deep.equal([]);
    const detail = await therapist.call(HTTP_ROUTES.getSession, { params: { sessionId } });
    expect(detail.body.participants[0].state, 'still admitted').to.equal('admitted');

    // The same request on the same socket now gets the client's token.
    const granted = await command<MediaTokenResponse>(client, COMMANDS.requestMediaToken, { sessionId });
    expect(granted.ok && granted.data.identity).to.equal(participantId);
    expect(await tokensIssued(t)).to.equal(issuedBefore + 1);
  });

  it('refuses a participant transition that reaches Redis after its deadline (as one queued behind a stall would)', async () => {
    const prefix = randomPrefix();
    const keys = createRedisKeys(prefix);
    const client = await connectRedis(redis.url, createLogger({ level: 'error', write: () => undefined }));
    try {
      // A clock whose deadlines have already passed stands in for a command that waited out a stall.
      const late = createRedisParticipantStore(client, keys, { deadline: () => Date.now() - 1, stop: () => undefined });
      const onTime = createRedisParticipantStore(client, keys, { deadline: () => Date.now() + 60_000, stop: () => undefined });
      await client.hSet(keys.participant('p_late'), { id: 'p_late', sessionId: 's_late', slot: '1', status: 'waiting', updatedAt: '1' });
      await client.expire(keys.participant('p_late'), 60);
      const refused = await late.transitionParticipant('p_late', ['waiting'], { status: 'admitted' }).then(
        () => 'applied',
        (error: { code?: string }) => error.code,
      );
      expect(refused).to.equal('service_unavailable');
      expect(await client.hGet(keys.participant('p_late'), 'status')).to.equal('waiting');
      expect((await onTime.transitionParticipant('p_late', ['waiting'], { status: 'admitted' }))?.status).to.equal('admitted');
    } finally {
      await client.del(keys.participant('p_late'));
      await client.close();
    }
  });
});
