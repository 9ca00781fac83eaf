import { expect } from 'chai';
import { io } from 'socket.io-client';
import { COMMANDS, FACTS, HTTP_ROUTES, type HttpRoute } from '@alcove/shared';
import { startTestApp, type TestApp } from '../support/test-app.ts';
import { loginTherapist, request, type TherapistClient, rawRoutePath } from '../support/api-client.ts';
import { command, connectClient, connectTherapist, newDeviceId, nextEvent, type TypedClientSocket } from '../support/socket-clients.ts';

describe('validation at the edge', () => {
  let t: TestApp;
  let therapist: TherapistClient;
  let consoleSocket: TypedClientSocket;
  let waiting: TypedClientSocket;
  let waitingSession: Awaited<ReturnType<TherapistClient['createSession']>>;

  before(async () => {
    t = await startTestApp();
    const account = await t.addTherapist();
    therapist = await loginTherapist(t.origin, account.email, account.password);
    consoleSocket = await connectTherapist(t.origin, therapist.cookie);
    // A client waits through every hostile case below and must keep its place.
    waitingSession = await therapist.createSession('individual');
    waiting = await connectClient(t.origin, waitingSession.secrets[0]!, newDeviceId());
    await command(waiting, COMMANDS.checkIn, { displayName: 'Patient Zero' });
  });
  after(async () => {
    consoleSocket.close();
    waiting.close();
    await t.close();
  });

  const at = (route: HttpRoute): [string, string] => [route.method, route.path];
  const httpCases: [string, string, string, { body?: unknown; rawBody?: string; headers?: Record<string, string> }, number, string][] = [
    ['unknown field', ...at(HTTP_ROUTES.createSession), { body: { kind: 'individual', isAdmin: true } }, 400, 'bad_request'],
    ['wrong type', ...at(HTTP_ROUTES.createSession), { body: { kind: 'individual', durationMinutes: '50' } }, 400, 'bad_request'],
    ['unknown kind', ...at(HTTP_ROUTES.createSession), { body: { kind: 'group' } }, 400, 'bad_request'],
    ['array body', ...at(HTTP_ROUTES.createSession), { body: [{ kind: 'individual' }] }, 400, 'bad_request'],
    ['null body', ...at(HTTP_ROUTES.createSession), { rawBody: 'null', headers: { 'content-type': 'application/json' } }, 400, 'bad_request'],
    ['malformed JSON', ...at(HTTP_ROUTES.createSession), { rawBody: '{"kind":', headers: { 'content-type': 'application/json' } }, 400, 'bad_request'],
    ['form body', ...at(HTTP_ROUTES.createSession), { rawBody: 'kind=individual', headers: { 'content-type': 'application/x-www-form-urlencoded' } }, 400, 'bad_request'],
    ['text/plain body', ...at(HTTP_ROUTES.login), { rawBody: '{"email":"a@b.c","password":"x"}', headers: { 'content-type': 'text/plain' } }, 400, 'bad_request'],
    ['oversized body', ...at(HTTP_ROUTES.createSession), { body: { kind: 'individual', pad: 'x'.repeat(20_000) } }, 413, 'payload_too_large'],
    ['prototype pollution', ...at(HTTP_ROUTES.createSession), { rawBody: '{"kind":"individual","__proto__":{"isAdmin":true}}', headers: { 'content-type': 'application/json' } }, 400, 'bad_request'],
    ['constructor key', ...at(HTTP_ROUTES.createSession), { rawBody: '{"kind":"individual","constructor":{"prototype":{"x":1}}}', headers: { 'content-type': 'application/json' } }, 400, 'bad_request'],
    ['deeply nested', ...at(HTTP_ROUTES.createSession), { rawBody: '{"kind":' + '['.repeat(2000) + ']'.repeat(2000) + '}', headers: { 'content-type': 'application/json' } }, 400, 'bad_request'],
    ['bad session id', 'GET', rawRoutePath(HTTP_ROUTES.getSession, { sessionId: '..%2F..%2Fetc' }), {}, 400, 'bad_request'],
    ['foreign origin', ...at(HTTP_ROUTES.createSession), { body: { kind: 'individual' }, headers: { origin: 'https://evil.example' } }, 403, 'forbidden'],
    ['unknown endpoint', 'GET', '/api/nope', {}, 404, 'not_found'],
    ['token: bad invite format', ...at(HTTP_ROUTES.joinToken), { body: { invite: 'short', deviceId: newDeviceId() } }, 400, 'bad_request'],
    ['token: missing device', ...at(HTTP_ROUTES.joinToken), { body: { invite: 'A'.repeat(43) } }, 400, 'bad_request'],
    ['login: not an email', ...at(HTTP_ROUTES.login), { body: { email: 'not-an-email', password: 'x' } }, 400, 'bad_request'],
    ['login: huge password', ...at(HTTP_ROUTES.login), { body: { email: 'a@example.test', password: 'x'.repeat(5000) } }, 400, 'bad_request'],
  ];

  for (const [name, method, path, options, status, code] of httpCases) {
    it(`answers ${name} with ${status} ${code} and a safe message`, async () => {
      const response = await request(t.origin, method, path, { ...options, cookie: therapist.cookie });
      expect(response.status).to.equal(status);
      expect(response.body.error.code).to.equal(code);
      expect(response.body.error.message).to.be.a('string').and.not.match(/at |Error:|node_modules|stack/u);
      expect(response.body.error.message).to.not.include('isAdmin');
    });
  }

  const socketCases: [string, string, unknown, string][] = [
    ['unknown field', COMMANDS.admit, { sessionId: 's_abcdefghij', participantId: 'p_abcdefghij', force: true }, 'bad_request'],
    ['wrong type', COMMANDS.admit, { sessionId: 42, participantId: 'p_abcdefghij' }, 'bad_request'],
    ['string payload', COMMANDS.watchSession, 'hello', 'bad_request'],
    ['message too long', COMMANDS.postMessage, { sessionId: 's_abcdefghij', text: 'x'.repeat(281) }, 'bad_request'],
    ['bidi override in message', COMMANDS.postMessage, { sessionId: 's_abcdefghij', text: 'hi \u202e there' }, 'bad_request'],
    ['id with path characters', COMMANDS.endSession, { sessionId: '../../../../x' }, 'bad_request'],
    ['unknown command', 'waiting-room:explode', {}, 'bad_request'],
    ['client command from a therapist', COMMANDS.checkIn, { displayName: 'Therapist' }, 'forbidden'],
  ];

  for (const [name, event, payload, code] of socketCases) {
    it(`answers a socket command with ${name} with ${code}`, async () => {
      const ack = await command(consoleSocket, event, payload);
      expect(ack.ok).to.equal(false);
      expect(ack.ok === false && ack.error.code).to.equal(code);
    });
  }

  it('refuses display names with control or bidi characters, or too long', async () => {
    const { secrets } = await therapist.createSession('individual');
    const client = await connectClient(t.origin, secrets[0]!);
    for (const displayName of ['', '   ', 'x'.repeat(41), 'Dr.\u202eSmith', 'new\nline', 'tab\there', 42, null]) {
      const ack = await command(client, COMMANDS.checkIn, { displayName });
      expect(ack.ok === false && ack.error.code, JSON.stringify(displayName)).to.equal('bad_request');
    }
    const ok = await command(client, COMMANDS.checkIn, { displayName: '  Zoë   Ortega ' });
    expect(ok.ok).to.equal(true);
    client.close();
  });

  it('refuses a socket handshake from a foreign origin, or with an unknown invite', async () => {
    const refused = await new Promise<string>((resolve) => {
      const s = io(t.origin, { transports: ['websocket'], reconnection: false, forceNew: true, extraHeaders: { origin: 'https://evil.example' } });
      s.once('connect', () => (s.close(), resolve('connected')));
      s.once('connect_error', () => (s.close(), resolve('refused')));
    });
    expect(refused).to.equal('refused');
    const unknown = await connectClient(t.origin, 'A'.repeat(43), newDeviceId()).catch((e: { data?: { code?: string } }) => e.data?.code);
    expect(unknown).to.equal('invalid_invite');
    const extraFields = await new Promise<string | undefined>((resolve) => {
      const s = io(t.origin, { transports: ['websocket'], reconnection: false, forceNew: true, auth: { invite: 'A'.repeat(43), deviceId: newDeviceId(), role: 'therapist' }, extraHeaders: { origin: t.origin } });
      s.once('connect', () => (s.close(), resolve('connected')));
      s.once('connect_error', (e: Error & { data?: { code?: string } }) => (s.close(), resolve(e.data?.code)));
    });
    expect(extraFields).to.equal('bad_request');
  });

  it('disconnects a socket that floods, and keeps serving everyone else', async () => {
    const flooder = await connectTherapist(t.origin, therapist.cookie);
    const gone = new Promise<void>((resolve) => flooder.once('disconnect', () => resolve()));
    const raw = flooder as unknown as { emit(event: string, payload: unknown): void };
    for (let i = 0; i < 200; i += 1) raw.emit('waiting-room:noise', {});
    await gone;
    const ping = await command(consoleSocket, COMMANDS.watchSession, { sessionId: waitingSession.session.sessionId });
    expect(ping.ok).to.equal(true);
  });

  it('survived every case above with the waiting client still in its place', async () => {
    expect(waiting.connected).to.equal(true);
    const detail = await therapist.call(HTTP_ROUTES.getSession, { params: { sessionId: waitingSession.session.sessionId } });
    expect(detail.body.participants[0]).to.include({ state: 'waiting', displayName: 'Patient Zero' });
    const admitted = nextEvent(waiting, FACTS.admitted);
    await command(consoleSocket, COMMANDS.admit, { sessionId: waitingSession.session.sessionId, participantId: waitingSession.invites[0]!.participantId });
    await admitted;
    expect((await request(t.origin, 'GET', '/healthz')).status).to.equal(200);
  });
});
