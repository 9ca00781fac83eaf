/**
 * `media:request-token`: an admitted client asks for its media token over the socket it already
 * authenticated, and gets it in that command's ack — the same single redemption read, the same
 * checks and the same per-invite counter as `POST /api/join/token`. A socket that may not have a
 * token (still waiting, sent back, another session, someone else named, a malformed payload, the
 * therapist's, a flood) gets a clear error code and nothing is issued; while Redis is down nothing
 * is issued either. The token never reaches the Socket.io adapter's Redis stream (an ack is not a
 * broadcast), and the log holds none.
 */
import { expect } from 'chai';
import { TokenVerifier } from 'livekit-server-sdk';
import { COMMANDS, FACTS, HTTP_ROUTES, type MediaTokenResponse } from '@alcove/shared';
import { talkOnlyGrant } from '../../server/src/tokens/talk-only-grant.ts';
import { callRoute, loginTherapist, request, type TherapistClient } from '../support/api-client.ts';
import { eventually } from '../support/eventually.ts';
import { watchEventLoop, type EventLoopWatchdog } from '../support/event-loop-watchdog.ts';
import { startRedisProcess, type RedisProcess } from '../support/redis-process.ts';
import { command, connectClient, connectTherapist, newDeviceId, nextEvent, type TypedClientSocket } from '../support/socket-clients.ts';
import { startTestApp, type TestApp } from '../support/test-app.ts';
import { useTherapistApp, type TherapistFixture } from '../support/therapist-fixture.ts';

const TOKEN_LIMIT = 5;

/** A couple's clients, checked in; the first `admit` of them admitted (each saw its `waiting-room:admitted`). */
async function coupleWaiting(ctx: TherapistFixture, admit: number) {
  const { session, secrets, invites } = await ctx.therapist.createSession('couple');
  const devices = [newDeviceId(), newDeviceId()];
  const clients: TypedClientSocket[] = [];
  for (const [i, secret] of secrets.entries()) {
    const client = ctx.track(await connectClient(ctx.t.origin, secret, devices[i]!));
    expect(await command(client, COMMANDS.checkIn, { displayName: `Partner ${i + 1}` })).to.deep.include({ ok: true });
    clients.push(client);
  }
  for (let i = 0; i < admit; i += 1) {
    const admitted = nextEvent(clients[i]!, FACTS.admitted);
    expect(await command(ctx.consoleSocket, COMMANDS.admit, { sessionId: session.sessionId, participantId: invites[i]!.participantId })).to.deep.include({ ok: true });
    expect(await admitted).to.deep.equal({ sessionId: session.sessionId });
  }
  return { sessionId: session.sessionId, secrets, invites, devices, clients };
}

const askForToken = (client: TypedClientSocket, payload: unknown) => command<MediaTokenResponse>(client, COMMANDS.requestMediaToken, payload);
const errorCode = (ack: { ok: boolean; error?: { code: string } }) => (ack.ok ? 'ok' : ack.error!.code);

describe('a media token asked for over the client’s own socket', () => {
  const ctx = useTherapistApp({ env: { TOKEN_REQUESTS_PER_INVITE_PER_MINUTE: String(TOKEN_LIMIT) } });
  const tokenCounter = (participantId: string) => ctx.t.app.redis.get(`${ctx.t.config.redis.prefix}rate:token-invite:${participantId}`);

  it('answers an admitted client with its own talk-only token in the ack, and leaves it in no Redis stream or log line', async () => {
    const { sessionId, invites, clients } = await coupleWaiting(ctx, 1);
    const before = Math.floor(Date.now() / 1000);
    const ack = await askForToken(clients[0]!, { sessionId });
    expect(ack.ok).to.equal(true);
    const token = ack.ok ? ack.data : null;
    expect(token).to.include({ identity: invites[0]!.participantId, url: ctx.t.config.livekit.url });
    const claims = await new TokenVerifier(ctx.t.config.livekit.apiKey, ctx.t.config.livekit.apiSecret).verify(token!.token);
    expect(claims.video).to.deep.equal(talkOnlyGrant(sessionId));
    expect(claims.sub).to.equal(invites[0]!.participantId);
    expect(claims.name).to.equal('Partner 1');
    expect(claims.exp).to.be.within(before + 119, before + 122);
    // Counted on the same per-invite counter as the HTTP path.
    expect(await tokenCounter(invites[0]!.participantId)).to.equal('1');

    const stream = await ctx.t.app.redis.xRange(ctx.t.config.redis.prefix + 'socket.io', '-', '+');
    expect(stream.length, 'the admission fact went through the stream').to.be.greaterThan(0);
    expect(JSON.stringify(stream)).to.not.include(token!.token);
    expect(ctx.t.logs.join('\n')).to.not.include(token!.token);
  });

  it('refuses a client who is still waiting, and one sent back, with not_admitted', async () => {
    const { sessionId, invites, clients } = await coupleWaiting(ctx, 1);
    expect(errorCode(await askForToken(clients[1]!, { sessionId }))).to.equal('not_admitted');
    expect(await command(ctx.consoleSocket, COMMANDS.sendBack, { sessionId, participantId: invites[0]!.participantId })).to.deep.include({ ok: true });
    expect(errorCode(await askForToken(clients[0]!, { sessionId }))).to.equal('not_admitted');
  });

  it('refuses a request for another session with forbidden, before counting it', async () => {
    const { invites, clients } = await coupleWaiting(ctx, 1);
    const other = await ctx.therapist.createSession('individual');
    expect(errorCode(await askForToken(clients[0]!, { sessionId: other.session.sessionId }))).to.equal('forbidden');
    expect(await tokenCounter(invites[0]!.participantId)).to.equal(null);
  });

  it('refuses a payload that names a participant, or is anything but a session id, with bad_request', async () => {
    const { sessionId, invites, clients } = await coupleWaiting(ctx, 2);
    const hostile: unknown[] = [
      { sessionId, participantId: invites[1]!.participantId },
      { sessionId, invite: 'x'.repeat(43), deviceId: newDeviceId() },
      {},
      { sessionId: 'x'.repeat(2000) },
      { sessionId: '../../etc' },
      { sessionId: 42 },
      'media',
      null,
      [sessionId],
    ];
    for (const payload of hostile) expect(errorCode(await askForToken(clients[0]!, payload)), JSON.stringify(payload).slice(0, 60)).to.equal('bad_request');
    // Nothing was counted for either partner, and the partner named gets its own token only on its own socket.
    expect(await tokenCounter(invites[0]!.participantId)).to.equal(null);
    expect(await tokenCounter(invites[1]!.participantId)).to.equal(null);
    const own = await askForToken(clients[1]!, { sessionId });
    expect(own.ok && own.data.identity).to.equal(invites[1]!.participantId);
  });

  it('refuses the therapist’s socket with forbidden', async () => {
    const { sessionId } = await coupleWaiting(ctx, 1);
    expect(errorCode(await askForToken(ctx.consoleSocket, { sessionId }))).to.equal('forbidden');
  });

  it('counts socket and HTTP requests against one per-invite limit, and leaves the partner unaffected', async () => {
    const { sessionId, secrets, devices, clients } = await coupleWaiting(ctx, 2);
    for (let i = 0; i < TOKEN_LIMIT - 2; i += 1) expect(errorCode(await askForToken(clients[0]!, { sessionId }))).to.equal('ok');
    for (let i = 0; i < 2; i += 1) expect((await callRoute(ctx.t.origin, HTTP_ROUTES.joinToken, { body: { invite: secrets[0], deviceId: devices[0] } })).status).to.equal(200);
    const refused = await askForToken(clients[0]!, { sessionId });
    expect(errorCode(refused)).to.equal('rate_limited');
    expect(!refused.ok && refused.error.details?.retryAfterSeconds).to.be.within(1, 60);
    expect((await callRoute(ctx.t.origin, HTTP_ROUTES.joinToken, { body: { invite: secrets[0], deviceId: devices[0] } })).status).to.equal(429);
    expect(errorCode(await askForToken(clients[1]!, { sessionId }))).to.equal('ok');
  });

  it('closes a socket that floods the command, with no more tokens than the limit', async () => {
    const { sessionId, secrets, devices, clients } = await coupleWaiting(ctx, 1);
    const flooder = clients[0]!;
    const disconnected = new Promise<string>((resolve) => flooder.once('disconnect', resolve));
    const acks = Array.from({ length: 60 }, () => askForToken(flooder, { sessionId }).catch(() => null));
    expect(await disconnected).to.equal('io server disconnect');
    const answered = (await Promise.all(acks)).filter((ack) => ack !== null);
    expect(answered.filter((ack) => ack.ok).length).to.be.at.most(TOKEN_LIMIT);
    expect(answered.length).to.be.below(60);
    // Every request that reached the redemption was counted: the invite is at its limit on every path.
    await eventually(async () => (await callRoute(ctx.t.origin, HTTP_ROUTES.joinToken, { body: { invite: secrets[0], deviceId: devices[0] } })).status === 429, 'the invite to be at its limit');
  });
});

describe('a socket token request while Redis is down', function () {
  this.timeout(60_000);
  let redis: RedisProcess;
  let watchdog: EventLoopWatchdog;
  let t: TestApp;
  let therapist: TherapistClient;
  const sockets: TypedClientSocket[] = [];

  before(async () => {
    watchdog = watchEventLoop('the socket token outage test');
    redis = await startRedisProcess();
    t = await startTestApp({ redisUrl: redis.url });
    const account = await t.addTherapist();
    therapist = await loginTherapist(t.origin, account.email, account.password);
  });
  after(async () => {
    for (const s of sockets) s.close();
    if (redis && !redis.isRunning()) await redis.start();
    await t?.close();
    await redis?.close();
    await watchdog?.stop();
  });

  it('answers service_unavailable and issues nothing, then gives the token once Redis is back', async () => {
    const { session, secrets, invites } = await therapist.createSession('individual');
    const sessionId = session.sessionId;
    const consoleSocket = await connectTherapist(t.origin, therapist.cookie);
    sockets.push(consoleSocket);
    const client = await connectClient(t.origin, secrets[0]!, newDeviceId());
    sockets.push(client);
    expect(await command(client, COMMANDS.checkIn, { displayName: 'Alex' })).to.deep.include({ ok: true });
    const admitted = nextEvent(client, FACTS.admitted);
    expect(await command(consoleSocket, COMMANDS.admit, { sessionId, participantId: invites[0]!.participantId })).to.deep.include({ ok: true });
    await admitted;

    await redis.stop();
    const refused = await askForToken(client, { sessionId });
    expect(refused).to.deep.equal({ ok: false, error: { code: 'service_unavailable', message: 'The service is briefly unavailable. Please try again.' } });
    expect(client.connected, 'the socket stays for the retry').to.equal(true);

    await redis.start();
    await eventually(async () => (await request(t.origin, 'GET', '/readyz')).status === 200, 'the app to be ready again', 20_000);
    const token = await eventually(async () => {
      const ack = await askForToken(client, { sessionId });
      return ack.ok ? ack.data : null;
    }, 'a token once Redis is back', 20_000);
    expect(token.identity).to.equal(invites[0]!.participantId);
  });
});
