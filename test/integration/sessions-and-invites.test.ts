import { expect } from 'chai';
import { createHash } from 'node:crypto';
import { COMMANDS, HTTP_ROUTES } from '@alcove/shared';
import { startTestApp, type TestApp } from '../support/test-app.ts';
import { loginTherapist, type TherapistClient, callRoute } from '../support/api-client.ts';
import { command, connectClient, type TypedClientSocket } from '../support/socket-clients.ts';

const refusal = (promise: Promise<unknown>) =>
  promise.then(
    () => null,
    (error: { data?: { code?: string; details?: Record<string, unknown> } }) => error.data ?? null,
  );

describe('sessions and invites', () => {
  let t: TestApp;
  let therapist: TherapistClient;
  const sockets: TypedClientSocket[] = [];

  before(async () => {
    t = await startTestApp({ env: { INVITE_OPENS_BEFORE_MINUTES: '30', INVITE_CLOSES_AFTER_MINUTES: '30' } });
    const account = await t.addTherapist();
    therapist = await loginTherapist(t.origin, account.email, account.password);
  });
  afterEach(() => {
    for (const s of sockets.splice(0)) s.close();
  });
  after(async () => t.close());

  it('creates a couple session with one invite per partner, secret only in the URL fragment', async () => {
    const created = await therapist.createSession('couple', { durationMinutes: 60 });
    expect(created.session).to.include({ kind: 'couple', status: 'scheduled', durationMinutes: 60 });
    expect(created.invites).to.have.length(2);
    for (const invite of created.invites) {
      const url = new URL(invite.joinUrl);
      expect(url.origin).to.equal(t.origin);
      expect(url.pathname).to.equal('/join');
      expect(url.search).to.equal('');
      expect(url.hash.slice(1)).to.match(/^[A-Za-z0-9_-]{43}$/u); // 256 bits
    }
    expect(created.secrets[0]).to.not.equal(created.secrets[1]);
    expect(created.session.closesAt - created.session.startsAt).to.equal(90 * 60_000);
    expect(created.session.startsAt - created.session.opensAt).to.equal(30 * 60_000);
  });

  it('stores invites only as SHA-256 hashes, with an expiry', async () => {
    const { secrets } = await therapist.createSession('individual');
    const keys = await t.app.redis.keys(`${t.config.redis.prefix}*`);
    const dump = (await Promise.all(keys.map(async (k) => `${k} ${JSON.stringify(await t.app.redis.type(k) === 'hash' ? await t.app.redis.hGetAll(k) : await t.app.redis.type(k) === 'string' ? await t.app.redis.get(k) : '')}`))).join('\n');
    expect(dump).to.not.include(secrets[0]);
    const hash = createHash('sha256').update(secrets[0]!).digest('hex');
    const inviteKey = `${t.config.redis.prefix}invite:${hash}`;
    expect(await t.app.redis.exists(inviteKey)).to.equal(1);
    expect(await t.app.redis.pTTL(inviteKey)).to.be.greaterThan(0);
  });

  it('gives every session key an expiry', async () => {
    const { secrets } = await therapist.createSession('couple');
    const client = await connectClient(t.origin, secrets[0]!);
    sockets.push(client);
    await command(client, COMMANDS.checkIn, { displayName: 'Sam' });
    const keys = await t.app.redis.keys(`${t.config.redis.prefix}*`);
    for (const key of keys) {
      const isAccount = /:(therapist|therapist-email|therapists):?/u.test(key.slice(t.config.redis.prefix.length - 1));
      const isSocketStream = key.endsWith('socket.io');
      if (isAccount || isSocketStream) continue;
      expect(await t.app.redis.pTTL(key), key).to.be.greaterThan(0);
    }
  });

  it('answers wrong, revoked and expired invites with the same error', async () => {
    const { session, secrets, invites } = await therapist.createSession('individual');
    const wrong = await refusal(connectClient(t.origin, 'A'.repeat(43)));
    const reissued = await therapist.call(HTTP_ROUTES.reissueInvite, { params: { sessionId: session.sessionId, participantId: invites[0]!.participantId }, body: {} });
    expect(reissued.status).to.equal(201);
    const revoked = await refusal(connectClient(t.origin, secrets[0]!));
    const ended = await therapist.createSession('individual');
    await therapist.call(HTTP_ROUTES.endSession, { params: { sessionId: ended.session.sessionId }, body: {} });
    const afterEnd = await refusal(connectClient(t.origin, ended.secrets[0]!));
    expect(wrong?.code).to.equal('invalid_invite');
    expect(revoked).to.deep.equal(wrong);
    expect(afterEnd).to.deep.equal(wrong);
    // The reissued link works.
    const fresh = new URL(reissued.body.joinUrl).hash.slice(1);
    sockets.push(await connectClient(t.origin, fresh));
  });

  it('opens invites only inside their window', async () => {
    const tomorrow = Date.now() + 24 * 3600_000;
    const later = await therapist.createSession('individual', { startsAt: tomorrow, durationMinutes: 50 });
    const early = await refusal(connectClient(t.origin, later.secrets[0]!));
    expect(early?.code).to.equal('invite_not_open_yet');
    expect(early?.details?.opensAt).to.equal(tomorrow - 30 * 60_000);
    const past = await therapist.call(HTTP_ROUTES.createSession, { body: { kind: 'individual', startsAt: Date.now() - 3 * 3600_000, durationMinutes: 50 } });
    expect(past.status).to.equal(400);
  });

  it('lists only the therapist’s own open sessions, soonest first, and ends them', async () => {
    const account = await t.addTherapist();
    const own = await loginTherapist(t.origin, account.email, account.password);
    const late = await own.createSession('individual', { startsAt: Date.now() + 2 * 3600_000 });
    const soon = await own.createSession('couple');
    const list = await own.call(HTTP_ROUTES.listSessions);
    expect(list.body.sessions.map((s: { sessionId: string }) => s.sessionId)).to.deep.equal([soon.session.sessionId, late.session.sessionId]);
    expect((await own.call(HTTP_ROUTES.endSession, { params: { sessionId: soon.session.sessionId }, body: {} })).status).to.equal(204);
    const after = await own.call(HTTP_ROUTES.listSessions);
    expect(after.body.sessions.map((s: { sessionId: string }) => s.sessionId)).to.deep.equal([late.session.sessionId]);
  });

  it('requires a login for every session endpoint (every therapist route of the contract)', async () => {
    const therapistRoutes = Object.values(HTTP_ROUTES).filter((route) => route.access === 'therapist');
    expect(therapistRoutes).to.include.members([HTTP_ROUTES.createSession, HTTP_ROUTES.listSessions, HTTP_ROUTES.startSession, HTTP_ROUTES.endSession]);
    for (const route of therapistRoutes) {
      const params = { sessionId: 's_abcdefgh', participantId: 'p_abcdefgh' };
      const response = await callRoute(t.origin, route, { params, body: route.method === 'POST' ? {} : undefined });
      expect(response.status, `${route.method} ${route.path}`).to.equal(401);
    }
  });
  // Last on purpose: it leaves this app's loopback IP blocked for invite redemption.
  it('slows down an address that keeps guessing invites, without refusing a right invite from the same address', async () => {
    const { secrets } = await therapist.createSession('individual');
    const codes: string[] = [];
    for (let i = 0; i < 21; i += 1) {
      const data = await refusal(connectClient(t.origin, `guess${String(i).padStart(38, '0')}`));
      codes.push(data?.code ?? 'none');
    }
    const firstLimited = codes.indexOf('rate_limited');
    expect(firstLimited).to.be.within(1, 20);
    expect(codes.slice(0, firstLimited).every((c) => c === 'invalid_invite')).to.equal(true);
    expect(codes.slice(firstLimited).every((c) => c === 'rate_limited')).to.equal(true);
    // Someone else behind the same address (clinic Wi-Fi, a carrier's NAT) with a real invite gets in…
    const right = await connectClient(t.origin, secrets[0]!);
    expect(right.connected).to.equal(true);
    right.close();
    // …while the guesser stays slowed down.
    expect((await refusal(connectClient(t.origin, `guess${'x'.repeat(38)}`)))?.code).to.equal('rate_limited');
  });
});
