/**
 * Hostile input beyond plain validation (see edge-validation.test.ts for malformed bodies):
 * swapped and forged credentials, replayed invites, cross-session ids, client-sent therapist
 * commands, oversized and nested socket payloads, floods. Every case gets a 4xx or a clean
 * disconnect; the server keeps serving and the waiting client never loses its place.
 */
import { expect } from 'chai';
import { createHash } from 'node:crypto';
import jwt from 'jsonwebtoken';
import { AccessToken } from 'livekit-server-sdk';
import { io } from 'socket.io-client';
import { COMMANDS, HTTP_ROUTES } from '@alcove/shared';
import { startTestApp, type TestApp } from '../support/test-app.ts';
import { loginTherapist, request, type TherapistClient, callRoute } from '../support/api-client.ts';
import { command, connectClient, connectTherapist, newDeviceId, type TypedClientSocket } from '../support/socket-clients.ts';
import { SOCKET_EVENT_RATES } from '../../server/src/transport/socket/command-dispatch.ts';

describe('hostile input', () => {
  let t: TestApp;
  let therapist: TherapistClient;
  let consoleSocket: TypedClientSocket;
  let waiting: TypedClientSocket;
  let waitingSession: Awaited<ReturnType<TherapistClient['createSession']>>;
  let other: Awaited<ReturnType<TherapistClient['createSession']>>;
  let otherClient: TypedClientSocket;
  let livekitToken: string;

  before(async () => {
    t = await startTestApp({ env: { MAX_SOCKETS_PER_IP: '200' } });
    const account = await t.addTherapist();
    therapist = await loginTherapist(t.origin, account.email, account.password);
    consoleSocket = await connectTherapist(t.origin, therapist.cookie);
    waitingSession = await therapist.createSession('individual');
    waiting = await connectClient(t.origin, waitingSession.secrets[0]!, newDeviceId());
    await command(waiting, COMMANDS.checkIn, { displayName: 'Still Waiting' });
    other = await therapist.createSession('couple');
    otherClient = await connectClient(t.origin, other.secrets[0]!, newDeviceId());
    await command(otherClient, COMMANDS.checkIn, { displayName: 'Other Client' });
    livekitToken = (await therapist.start(other.session.sessionId)).token;
  });
  after(async () => {
    for (const s of [consoleSocket, waiting, otherClient]) s.close();
    await t.close();
  });

  const me = (cookieValue: string) => callRoute(t.origin, HTTP_ROUTES.me, { cookie: `alcove_session=${cookieValue}` });
  const webhook = (body: string, authorization: string) =>
    request(t.origin, 'POST', '/webhooks/livekit', { rawBody: body, headers: { 'content-type': 'application/webhook+json', authorization } });

  describe('swapped and forged credentials', () => {
    it('refuses a LiveKit access token used as the login cookie', async () => {
      expect((await me(livekitToken)).status).to.equal(401);
    });
    it('refuses a login JWT signed with the LiveKit secret', async () => {
      const forged = jwt.sign({ sub: 't_x', jti: 'l_x' }, t.config.livekit.apiSecret, { issuer: 'alcove', audience: 'alcove-console', expiresIn: 60 });
      expect((await me(forged)).status).to.equal(401);
    });
    it('refuses the login cookie used as a webhook signature', async () => {
      expect((await webhook('{"event":"room_finished","id":"EV_1"}', therapist.cookie.split('=')[1]!)).status).to.equal(401);
    });
    it('refuses a LiveKit participant token (no body hash) as a webhook signature', async () => {
      expect((await webhook('{"event":"room_finished","id":"EV_2"}', livekitToken)).status).to.equal(401);
    });
    it('refuses a webhook signed with a wrong secret', async () => {
      const body = JSON.stringify({ event: 'room_finished', id: 'EV_3', room: { name: other.session.sessionId } });
      const token = new AccessToken(t.config.livekit.apiKey, 'wrong-secret-wrong-secret-wrong-secret', { ttl: 60 });
      token.sha256 = createHash('sha256').update(body).digest('base64');
      expect((await webhook(body, await token.toJwt())).status).to.equal(401);
    });
    it('refuses an expired login JWT even with a live server-side record', async () => {
      const claims = jwt.decode(therapist.cookie.split('=')[1]!) as jwt.JwtPayload;
      const expired = jwt.sign({ ...claims, iat: claims.iat! - 100_000, exp: Math.floor(Date.now() / 1000) - 10 }, t.config.auth.jwtSecret);
      expect((await me(expired)).status).to.equal(401);
    });
    it('refuses a login JWT with the HS256 algorithm swapped for none', async () => {
      const claims = jwt.decode(therapist.cookie.split('=')[1]!) as jwt.JwtPayload;
      const unsigned = `${Buffer.from('{"alg":"none","typ":"JWT"}').toString('base64url')}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.`;
      expect((await me(unsigned)).status).to.equal(401);
    });
    it('ignores a huge cookie header', async () => {
      const response = await callRoute(t.origin, HTTP_ROUTES.me, { cookie: `alcove_session=${'x'.repeat(7000)}` });
      expect(response.status).to.equal(401);
    });
  });

  describe('invites', () => {
    it('refuses a replayed invite after it was re-issued', async () => {
      const created = await therapist.createSession('individual');
      await therapist.call(HTTP_ROUTES.reissueInvite, { params: { sessionId: created.session.sessionId, participantId: created.invites[0]!.participantId }, body: {} });
      const token = await callRoute(t.origin, HTTP_ROUTES.joinToken, { body: { invite: created.secrets[0], deviceId: newDeviceId() } });
      expect(token.status).to.equal(404);
      expect(token.body.error.code).to.equal('invalid_invite');
    });
    it('refuses an invite of an ended session, as an invalid invite', async () => {
      const created = await therapist.createSession('individual');
      await therapist.call(HTTP_ROUTES.endSession, { params: { sessionId: created.session.sessionId }, body: {} });
      const token = await callRoute(t.origin, HTTP_ROUTES.joinToken, { body: { invite: created.secrets[0], deviceId: newDeviceId() } });
      expect(token.body.error.code).to.equal('invalid_invite');
    });
    it('refuses a token to the right invite on the wrong device', async () => {
      await command(consoleSocket, COMMANDS.admit, { sessionId: other.session.sessionId, participantId: other.invites[0]!.participantId });
      const token = await callRoute(t.origin, HTTP_ROUTES.joinToken, { body: { invite: other.secrets[0], deviceId: newDeviceId() } });
      expect(token.status).to.equal(409);
      expect(token.body.error.code).to.equal('device_in_use');
    });
    it('refuses an invite in the socket handshake with a prototype-pollution key', async () => {
      const code = await new Promise<string | undefined>((resolve) => {
        const s = io(t.origin, {
          transports: ['websocket'],
          reconnection: false,
          forceNew: true,
          auth: JSON.parse(`{"invite":"${'A'.repeat(43)}","deviceId":"${newDeviceId()}","__proto__":{"role":"therapist"}}`),
          extraHeaders: { origin: t.origin },
        });
        s.once('connect', () => (s.close(), resolve('connected')));
        s.once('connect_error', (e: Error & { data?: { code?: string } }) => (s.close(), resolve(e.data?.code)));
      });
      expect(code).to.equal('bad_request');
    });
  });

  describe('ids from another session or another therapist', () => {
    for (const event of [COMMANDS.admit, COMMANDS.sendBack, COMMANDS.remove, COMMANDS.mute] as const) {
      it(`answers ${event} naming another session's participant with not_found`, async () => {
        const ack = await command(consoleSocket, event, { sessionId: waitingSession.session.sessionId, participantId: other.invites[1]!.participantId });
        expect(ack.ok === false && ack.error.code).to.equal('not_found');
      });
    }
    it('answers session:announce-key and participant:send-key for another therapist’s session with not_found', async () => {
      const account = await t.addTherapist('Dr. Intruder');
      const intruder = await loginTherapist(t.origin, account.email, account.password);
      const socket = await connectTherapist(t.origin, intruder.cookie);
      const publicKey = { curve: 'X25519', key: 'A'.repeat(43) };
      const announce = await command(socket, COMMANDS.announceSessionKey, { sessionId: other.session.sessionId, publicKeys: [publicKey] });
      const envelope = { v: 1, keyIndex: 0, from: publicKey, to: publicKey, iv: 'A'.repeat(16), data: 'A'.repeat(64) };
      const send = await command(socket, COMMANDS.sendKey, { sessionId: other.session.sessionId, participantId: other.invites[0]!.participantId, envelope });
      socket.close();
      expect(announce.ok === false && announce.error.code).to.equal('not_found');
      expect(send.ok === false && send.error.code).to.equal('not_found');
    });
  });

  describe('client sockets sending therapist commands', () => {
    for (const [event, payload] of [
      [COMMANDS.sendBack, () => ({ sessionId: other.session.sessionId, participantId: other.invites[0]!.participantId })],
      [COMMANDS.remove, () => ({ sessionId: other.session.sessionId, participantId: other.invites[1]!.participantId })],
      [COMMANDS.mute, () => ({ sessionId: other.session.sessionId, participantId: other.invites[0]!.participantId })],
      [COMMANDS.postMessage, () => ({ sessionId: other.session.sessionId, text: 'hello' })],
      [COMMANDS.activateKey, () => ({ sessionId: other.session.sessionId, keyIndex: 0 })],
      [COMMANDS.announceSessionKey, () => ({ sessionId: other.session.sessionId, publicKeys: [{ curve: 'X25519', key: 'A'.repeat(43) }] })],
      [COMMANDS.keepAlive, () => ({})],
    ] as const) {
      it(`forbids ${event}`, async () => {
        const ack = await command(otherClient, event, payload());
        expect(ack.ok === false && ack.error.code).to.equal('forbidden');
      });
    }
  });

  describe('malformed socket payloads', () => {
    for (const [name, event, payload] of [
      ['an object display name', COMMANDS.checkIn, { displayName: { toString: 'x' } }],
      ['a prototype-pollution key', COMMANDS.checkIn, JSON.parse('{"displayName":"A","__proto__":{"x":1}}')],
      ['extra fields on leave', COMMANDS.leave, { now: true }],
      ['extra fields on announce-key', COMMANDS.announceCallKey, { publicKeys: [{ curve: 'X25519', key: 'A'.repeat(43) }], sessionId: 's_someoneelse' }],
      ['a deeply nested payload', COMMANDS.checkIn, JSON.parse('{"displayName":' + '['.repeat(500) + ']'.repeat(500) + '}')],
      ['an array payload', COMMANDS.checkIn, ['A']],
      ['a null payload', COMMANDS.checkIn, null],
    ] as const) {
      it(`answers a client command with ${name} with bad_request`, async () => {
        const ack = await command(otherClient, event, payload);
        expect(ack.ok === false && ack.error.code).to.equal('bad_request');
      });
    }

    it('disconnects a socket that sends a payload over 16 KiB', async () => {
      const socket = await connectTherapist(t.origin, therapist.cookie);
      const gone = new Promise<void>((resolve) => socket.once('disconnect', () => resolve()));
      (socket as unknown as { emit(e: string, p: unknown): void }).emit(COMMANDS.postMessage, { sessionId: waitingSession.session.sessionId, text: 'x'.repeat(20_000) });
      await gone;
    });
  });

  describe('floods', () => {
    it('rate-limits a login flood from one IP', async () => {
      let limited = false;
      for (let i = 0; i < 25 && !limited; i += 1) {
        const response = await callRoute(t.origin, HTTP_ROUTES.login, { body: { email: `nobody${i}@example.test`, password: 'wrong-password' } });
        limited = response.status === 429;
      }
      expect(limited).to.equal(true);
    });
    it('rate-limits token requests for one invite', async () => {
      const created = await therapist.createSession('individual');
      const deviceId = newDeviceId();
      const client = await connectClient(t.origin, created.secrets[0]!, deviceId);
      let limited = false;
      for (let i = 0; i < 40 && !limited; i += 1) {
        const response = await callRoute(t.origin, HTTP_ROUTES.joinToken, { body: { invite: created.secrets[0], deviceId } });
        limited = response.status === 429;
      }
      client.close();
      expect(limited).to.equal(true);
    });
    it("keeps a therapist's console that relays a couple's keys and lists at machine speed, and answers all of it", async () => {
      // What a console sends in the rehearsal's quick admit/send-back rounds of a couple (the CI
      // flake: 10 events a round, a round every 0.8 s, the old 30-then-10 budget cut the console off).
      const socket = await connectTherapist(t.origin, therapist.cookie);
      const logsBefore = t.logs.length;
      const answers = await Promise.all(
        Array.from({ length: 2 * SOCKET_EVENT_RATES.client.burst }, () => command(socket, COMMANDS.watchSession, { sessionId: waitingSession.session.sessionId })),
      );
      expect(answers.every((answer) => answer.ok)).to.equal(true);
      expect(socket.connected).to.equal(true);
      expect(t.logs.slice(logsBefore).filter((line) => JSON.parse(line).event === 'socket.flood')).to.have.length(0);
      socket.close();
    });
    it('disconnects a socket that floods commands', async () => {
      const socket = await connectTherapist(t.origin, therapist.cookie);
      const gone = new Promise<void>((resolve) => socket.once('disconnect', () => resolve()));
      const logsBefore = t.logs.length;
      // Three times the console's burst: a flood whatever the refill while the server reads it.
      for (let i = 0; i < 3 * SOCKET_EVENT_RATES.therapist.burst; i += 1) void command(socket, COMMANDS.watchSession, { sessionId: waitingSession.session.sessionId }, 2000).catch(() => undefined);
      await gone;
      // One line for the throttled socket, not one per event past the limit.
      const floodLines = t.logs.slice(logsBefore).filter((line) => JSON.parse(line).event === 'socket.flood');
      expect(floodLines).to.have.length(1);
    });
  });

  it('kept serving, and the waiting client kept its place through all of it', async () => {
    expect(waiting.connected).to.equal(true);
    const detail = await therapist.call(HTTP_ROUTES.getSession, { params: { sessionId: waitingSession.session.sessionId } });
    expect(detail.status).to.equal(200);
    expect(detail.body.participants[0]).to.include({ state: 'waiting', displayName: 'Still Waiting' });
    const still = await command(consoleSocket, COMMANDS.watchSession, { sessionId: waitingSession.session.sessionId });
    expect(still.ok).to.equal(true);
  });
});
