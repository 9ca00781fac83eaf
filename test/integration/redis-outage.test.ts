/**
 * Redis is where admission lives. While it is down nobody can be admitted and no
 * token is issued — the server says so at once (503 service_unavailable) instead
 * of hanging or trusting memory — and it keeps serving; when Redis is back,
 * admission and tokens work again without a restart.
 *
 * The outage is real: our own redis-server is stopped (its port refuses
 * connections) and started again on the same port. It persists every write to
 * an append-only file, so it comes back with its data, as a production Redis
 * restart or failover would. (Pausing clients or DEBUG SLEEP would simulate a
 * hung Redis rather than a down one, and a restart without persistence would be
 * a data loss, not a blip.)
 */
import { expect } from 'chai';
import { COMMANDS, FACTS, type MediaTokenResponse, type WatchSessionResult, HTTP_ROUTES } from '@alcove/shared';
import { startTestApp, type TestApp } from '../support/test-app.ts';
import { loginTherapist, request, type TherapistClient, callRoute } from '../support/api-client.ts';
import { command, connectClient, connectTherapist, newDeviceId, nextEvent, type TypedClientSocket } from '../support/socket-clients.ts';
import { startRedisProcess, type RedisProcess } from '../support/redis-process.ts';
import { eventually } from '../support/eventually.ts';
import { watchEventLoop, type EventLoopWatchdog } from '../support/event-loop-watchdog.ts';

/** Failing closed means failing fast: well under a client's patience, and under node-redis's reconnect backoff. */
const FAIL_FAST_MS = 2_000;
const RECOVERY_TIMEOUT_MS = 20_000;

describe('Redis briefly down', function () {
  this.timeout(60_000);

  let redis: RedisProcess;
  let watchdog: EventLoopWatchdog;
  let t: TestApp;
  let therapist: TherapistClient;
  const sockets: TypedClientSocket[] = [];
  const track = (s: TypedClientSocket) => (sockets.push(s), s);

  before(async () => {
    // A Redis client that retries in a tight loop while Redis is down would freeze
    // this process, mocha's timeouts included: fail loudly instead of hanging.
    watchdog = watchEventLoop('the Redis outage tests');
    redis = await startRedisProcess();
    t = await startTestApp({ redisUrl: redis.url });
    const account = await t.addTherapist();
    therapist = await loginTherapist(t.origin, account.email, account.password);
  });
  beforeEach(async () => {
    if (!redis.isRunning()) await redis.start();
    await eventually(async () => (await request(t.origin, 'GET', '/readyz')).status === 200, 'the app to be connected to Redis', RECOVERY_TIMEOUT_MS);
  });
  afterEach(() => {
    for (const s of sockets.splice(0)) s.close();
  });
  after(async () => {
    // The app closes cleanly only against a reachable Redis (its adapter's blocking read is queued until then).
    if (redis && !redis.isRunning()) await redis.start();
    await t?.close();
    await redis?.close();
    await watchdog?.stop();
  });

  async function timed<T>(action: () => Promise<T>): Promise<{ result: T; ms: number }> {
    const started = Date.now();
    const result = await action();
    return { result, ms: Date.now() - started };
  }

  it('refuses admission and tokens with service_unavailable while Redis is down, keeps serving, and recovers', async () => {
    const { session, secrets, invites } = await therapist.createSession('individual');
    const sessionId = session.sessionId;
    const participantId = invites[0]!.participantId;
    const invite = secrets[0]!;
    const deviceId = newDeviceId();
    const therapistSocket = track(await connectTherapist(t.origin, therapist.cookie));
    const client = track(await connectClient(t.origin, invite, deviceId));
    expect(await command(client, COMMANDS.checkIn, { displayName: 'Alex' })).to.deep.include({ ok: true });
    expect((await request(t.origin, 'GET', '/readyz')).status).to.equal(200);

    await redis.stop();

    const admit = await timed(() => command(therapistSocket, COMMANDS.admit, { sessionId, participantId }));
    expect(admit.result).to.deep.include({ ok: false });
    expect(admit.result.ok === false && admit.result.error.code).to.equal('service_unavailable');
    expect(admit.ms).to.be.below(FAIL_FAST_MS);

    const token = await timed(() => callRoute(t.origin, HTTP_ROUTES.joinToken, { body: { invite, deviceId } }));
    expect(token.result.status).to.equal(503);
    expect(token.result.body).to.deep.equal({ error: { code: 'service_unavailable', message: 'The service is briefly unavailable. Please try again.' } });
    expect(token.result.headers.get('content-type')).to.match(/application\/json/u);
    expect(token.ms).to.be.below(FAIL_FAST_MS);

    const start = await callRoute(t.origin, HTTP_ROUTES.startSession, { params: { sessionId }, body: {}, cookie: therapist.cookie });
    expect(start.status).to.equal(503);
    expect(start.body).to.not.have.property('token');

    // The process is alive and says it is not ready, so a load balancer can route around it.
    expect((await request(t.origin, 'GET', '/healthz')).status).to.equal(200);
    expect((await request(t.origin, 'GET', '/readyz')).status).to.equal(503);

    await redis.start();

    await eventually(async () => (await request(t.origin, 'GET', '/readyz')).status === 200, 'the app to be ready again', RECOVERY_TIMEOUT_MS);
    // The waiting client's place survived the outage.
    const watched = await eventually(async () => {
      const ack = await command<WatchSessionResult>(therapistSocket, COMMANDS.watchSession, { sessionId });
      return ack.ok ? ack.data : null;
    }, 'the therapist to see the session again', RECOVERY_TIMEOUT_MS);
    expect(watched.participants.map((p) => p.state)).to.deep.equal(['waiting']);

    const admitted = nextEvent(client, FACTS.admitted, () => true, RECOVERY_TIMEOUT_MS);
    const ack = await command(therapistSocket, COMMANDS.admit, { sessionId, participantId });
    expect(ack.ok && ack.data.state).to.equal('admitted');
    expect(await admitted).to.deep.equal({ sessionId });

    const after = await callRoute<MediaTokenResponse>(t.origin, HTTP_ROUTES.joinToken, { body: { invite, deviceId } });
    expect(after.status).to.equal(200);
    expect(after.body.identity).to.equal(participantId);
  });

  it('lets a client check in and be admitted after an outage that began before it arrived', async () => {
    const { session, secrets, invites } = await therapist.createSession('individual');
    const sessionId = session.sessionId;
    const participantId = invites[0]!.participantId;
    const therapistSocket = track(await connectTherapist(t.origin, therapist.cookie));

    await redis.stop();
    const deviceId = newDeviceId();
    let refusal: unknown;
    await connectClient(t.origin, secrets[0]!, deviceId).then(
      (s) => track(s),
      (error: { data?: unknown }) => (refusal = error.data),
    );
    expect(refusal).to.deep.include({ code: 'service_unavailable' });

    await redis.start();
    const client = await eventually(() => connectClient(t.origin, secrets[0]!, deviceId).then(track), 'a client connection to be accepted again', RECOVERY_TIMEOUT_MS);
    const waiting = nextEvent(therapistSocket, FACTS.presenceUpdated, (f) => f.participant.participantId === participantId && f.participant.state === 'waiting', RECOVERY_TIMEOUT_MS);
    expect(await command(client, COMMANDS.checkIn, { displayName: 'Sam' })).to.deep.include({ ok: true });
    await waiting;
    const admitted = nextEvent(client, FACTS.admitted, () => true, RECOVERY_TIMEOUT_MS);
    expect(await command(therapistSocket, COMMANDS.admit, { sessionId, participantId })).to.deep.include({ ok: true });
    await admitted;
    expect((await callRoute(t.origin, HTTP_ROUTES.joinToken, { body: { invite: secrets[0], deviceId } })).status).to.equal(200);
  });
});
