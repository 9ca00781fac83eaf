/**
 * Two app instances on one Redis namespace behave as one service: state lives in
 * Redis and facts travel through the Socket.io Redis streams adapter, so the
 * therapist and the client may be connected to different instances.
 */
import { expect } from 'chai';
import { COMMANDS, FACTS, type MediaTokenResponse, type WatchSessionResult, HTTP_ROUTES } from '@alcove/shared';
import { randomPrefix, startTestApp, type TestApp } from '../support/test-app.ts';
import { loginTherapist, type TherapistClient, callRoute } from '../support/api-client.ts';
import { command, connectClient, connectTherapist, newDeviceId, nextEvent, type TypedClientSocket } from '../support/socket-clients.ts';

describe('two app instances on one Redis', () => {
  let a: TestApp;
  let b: TestApp;
  let therapist: TherapistClient;
  const sockets: TypedClientSocket[] = [];
  const track = (s: TypedClientSocket) => (sockets.push(s), s);

  before(async () => {
    const prefix = randomPrefix();
    a = await startTestApp({ prefix });
    // LiveKit has one webhook URL; instance A takes it, as one instance behind a load balancer would.
    b = await startTestApp({ prefix, receivesWebhooks: false });
    const account = await a.addTherapist();
    // Logged in on A; every call and socket of the therapist below goes to A.
    therapist = await loginTherapist(a.origin, account.email, account.password);
  });
  afterEach(() => {
    for (const s of sockets.splice(0)) s.close();
  });
  after(async () => {
    await Promise.all([a?.close(), b?.close()]);
  });

  /** A session created on A, its therapist watching on A and its client connected to B. */
  async function clientOnB() {
    const { session, secrets, invites } = await therapist.createSession('individual');
    const therapistSocket = track(await connectTherapist(a.origin, therapist.cookie));
    const deviceId = newDeviceId();
    const client = track(await connectClient(b.origin, secrets[0]!, deviceId));
    return { sessionId: session.sessionId, participantId: invites[0]!.participantId, invite: secrets[0]!, deviceId, client, therapistSocket };
  }

  it('tells the therapist on instance A that a client checked in on instance B', async () => {
    const { sessionId, participantId, client, therapistSocket } = await clientOnB();
    const waiting = nextEvent(therapistSocket, FACTS.presenceUpdated, (f) => f.participant.participantId === participantId && f.participant.state === 'waiting');
    expect(await command(client, COMMANDS.checkIn, { displayName: 'Alex' })).to.deep.include({ ok: true });
    const fact = await waiting;
    expect(fact.sessionId).to.equal(sessionId);
    expect(fact.participant.displayName).to.equal('Alex');
    const watched = await command<WatchSessionResult>(therapistSocket, COMMANDS.watchSession, { sessionId });
    expect(watched.ok && watched.data.participants.map((p) => p.state)).to.deep.equal(['waiting']);
  });

  it('admits on instance A, tells the client on instance B, and B issues its token', async () => {
    const { sessionId, participantId, invite, deviceId, client, therapistSocket } = await clientOnB();
    await command(client, COMMANDS.checkIn, { displayName: 'Alex' });
    const before = await callRoute(b.origin, HTTP_ROUTES.joinToken, { body: { invite, deviceId } });
    expect(before.status).to.equal(403);

    const admitted = nextEvent(client, FACTS.admitted);
    expect(await command(therapistSocket, COMMANDS.admit, { sessionId, participantId })).to.deep.include({ ok: true });
    expect(await admitted).to.deep.equal({ sessionId });

    const response = await callRoute<MediaTokenResponse>(b.origin, HTTP_ROUTES.joinToken, { body: { invite, deviceId } });
    expect(response.status).to.equal(200);
    expect(response.body.identity).to.equal(participantId);
    expect(response.body.token).to.be.a('string').and.not.be.empty;
  });

  it('disconnects a client on instance B when the therapist on A removes them', async () => {
    const { sessionId, participantId, invite, deviceId, client, therapistSocket } = await clientOnB();
    await command(client, COMMANDS.checkIn, { displayName: 'Alex' });
    const closed = nextEvent(client, FACTS.closed);
    const disconnected = nextEvent(client, 'disconnect');

    const ack = await command(therapistSocket, COMMANDS.remove, { sessionId, participantId });
    expect(ack.ok && ack.data.state).to.equal('removed');
    expect(await closed).to.deep.equal({ reason: 'removed' });
    await disconnected;

    const token = await callRoute(b.origin, HTTP_ROUTES.joinToken, { body: { invite, deviceId } });
    expect(token.status).to.equal(404);
    expect(token.body.error.code).to.equal('invalid_invite');
  });

  it('refuses a second device on instance A while the invite is in use on instance B, and tells the therapist', async () => {
    const { sessionId, participantId, invite, client, therapistSocket } = await clientOnB();
    await command(client, COMMANDS.checkIn, { displayName: 'Alex' });
    const told = nextEvent(therapistSocket, FACTS.deviceRefused, (f) => f.participantId === participantId);

    let refusal: unknown;
    await connectClient(a.origin, invite, newDeviceId()).then(
      (s) => track(s),
      (error: { data?: unknown }) => (refusal = error.data),
    );
    expect(refusal).to.deep.include({ code: 'device_in_use' });
    expect(await told).to.include({ sessionId, participantId });
    expect(client.connected, 'the first device keeps its place').to.equal(true);
  });
});
