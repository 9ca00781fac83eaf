/**
 * Admitted, then the instance holding the client's socket is gone (kill -9, or SIGTERM as in every
 * deploy) before the client asked for its media token. The admission lives in Redis, not in the
 * instance: the client reconnects to the instance that is left with the same invite and device,
 * is still admitted there (never back to waiting), gets its token over its new socket, and the
 * therapist's console on that instance shows it admitted — also after the survivor has swept the
 * dead instance's connections. A client the therapist sent back or removed meanwhile gets no token
 * from the survivor, on either path.
 */
import { expect } from 'chai';
import { COMMANDS, FACTS, HTTP_ROUTES, type CheckInResult, type MediaTokenResponse, type PresenceUpdatedFact, type WatchSessionResult } from '@alcove/shared';
import { startAppProcess, type AppProcess } from '../support/app-process.ts';
import { randomPrefix, startTestApp, type TestApp } from '../support/test-app.ts';
import { callRoute, loginTherapist, type TherapistClient } from '../support/api-client.ts';
import { command, connectClient, connectTherapist, newDeviceId, nextEvent, type TypedClientSocket } from '../support/socket-clients.ts';
import { readMetric } from '../support/app-metrics.ts';
import { eventually } from '../support/eventually.ts';
import { INSTANCE_SILENCE_MS } from '../../server/src/waiting-room/presence-sweeper.ts';

/** Long enough that nothing in these tests is decided by the grace period. */
const GRACE_SECONDS = 60;
/** The survivor sweeps a silent instance once it has been silent this long (plus one sweep). */
const SWEPT_WITHIN_MS = INSTANCE_SILENCE_MS + 5_000;

const SIGNALS = ['SIGKILL', 'SIGTERM'] as const;
const takeOverCause = (signal: (typeof SIGNALS)[number]) => (signal === 'SIGTERM' ? 'drained' : 'silent');

describe('a media token asked for after the instance that admitted the client is lost', function () {
  this.timeout(60_000);
  const prefix = randomPrefix();
  let survivor: TestApp;
  let therapist: TherapistClient;
  let consoleSocket: TypedClientSocket;
  const sockets: TypedClientSocket[] = [];
  const track = (socket: TypedClientSocket) => (sockets.push(socket), socket);
  const tokensIssued = () => readMetric(survivor.app.metricsPort()!, 'alcove_token_issue_seconds_count', { holder: 'client' });
  const takeOvers = (cause: 'drained' | 'silent') => readMetric(survivor.app.metricsPort()!, 'alcove_instance_takeovers_total', { cause });
  const askForToken = (client: TypedClientSocket, sessionId: string) => command<MediaTokenResponse>(client, COMMANDS.requestMediaToken, { sessionId });

  before(async () => {
    survivor = await startTestApp({ prefix, env: { WAITING_GRACE_SECONDS: String(GRACE_SECONDS), METRICS_PORT: '0' } });
    const account = await survivor.addTherapist();
    therapist = await loginTherapist(survivor.origin, account.email, account.password);
    consoleSocket = track(await connectTherapist(survivor.origin, therapist.cookie));
  });
  afterEach(() => {
    for (const socket of sockets.splice(1)) socket.close();
  });
  after(async () => {
    for (const socket of sockets) socket.close();
    await survivor?.close();
  });

  /** A live session's clients on the doomed instance, checked in and admitted by the console on the survivor. */
  async function admittedOn(doomed: AppProcess, kind: 'individual' | 'couple') {
    const { session, secrets, invites } = await therapist.createSession(kind);
    const sessionId = session.sessionId;
    await therapist.start(sessionId);
    const clients = [];
    for (const [i, invite] of secrets.entries()) {
      const deviceId = newDeviceId();
      const participantId = invites[i]!.participantId;
      const socket = track(await connectClient(doomed.origin, invite, deviceId));
      const waiting = nextEvent<PresenceUpdatedFact>(consoleSocket, FACTS.presenceUpdated, (f) => f.participant.participantId === participantId && f.participant.state === 'waiting');
      expect(await command(socket, COMMANDS.checkIn, { displayName: `Partner ${i + 1}` })).to.deep.include({ ok: true });
      await waiting;
      // The fact reaches the doomed instance's socket through the streams adapter.
      const admitted = nextEvent(socket, FACTS.admitted);
      expect(await command(consoleSocket, COMMANDS.admit, { sessionId, participantId })).to.deep.include({ ok: true });
      expect(await admitted).to.deep.equal({ sessionId });
      clients.push({ invite, deviceId, participantId, socket });
    }
    return { sessionId, clients };
  }

  /** Kills the doomed instance and resolves once the survivor has taken its connections over. */
  async function lose(doomed: AppProcess, signal: (typeof SIGNALS)[number], socketsOnIt: TypedClientSocket[]) {
    const cause = takeOverCause(signal);
    const takenBefore = await takeOvers(cause);
    const cut = socketsOnIt.map((socket) => new Promise<void>((resolve) => socket.once('disconnect', () => resolve())));
    await doomed.kill(signal);
    await Promise.all(cut);
    return {
      swept: () => eventually(async () => (await takeOvers(cause)) === takenBefore + 1, `the survivor to take over the ${signal} instance`, SWEPT_WITHIN_MS),
    };
  }

  for (const signal of SIGNALS) {
    it(`gives the token on the instance that is left, still admitted, after ${signal} of the instance that admitted the client`, async () => {
      const doomed = await startAppProcess({ REDIS_PREFIX: prefix, WAITING_GRACE_SECONDS: String(GRACE_SECONDS) });
      try {
        const { sessionId, clients } = await admittedOn(doomed, 'individual');
        const { invite, deviceId, participantId, socket } = clients[0]!;
        const states: string[] = [];
        consoleSocket.on(FACTS.presenceUpdated, (f) => void (f.participant.participantId === participantId && states.push(f.participant.state)));
        const issuedBefore = await tokensIssued();
        const { swept } = await lose(doomed, signal, [socket]);
        // Whether or not the survivor has swept the dead instance yet: the browser reconnects at once.
        const again = track(await connectClient(survivor.origin, invite, deviceId));
        const shownAdmitted = nextEvent<PresenceUpdatedFact>(consoleSocket, FACTS.presenceUpdated, (f) => f.participant.participantId === participantId && f.participant.state === 'admitted', 10_000);
        const checkIn = await command<CheckInResult>(again, COMMANDS.checkIn, { displayName: 'Partner 1' });
        expect(checkIn.ok && checkIn.data.state, 'still admitted, not back to waiting').to.equal('admitted');
        await shownAdmitted;
        const token = await askForToken(again, sessionId);
        expect(token.ok && token.data.identity).to.equal(participantId);
        expect(await tokensIssued()).to.equal(issuedBefore + 1);

        // The survivor's sweep of the lost instance's connections leaves the new one alone.
        await swept();
        const watched = await command<WatchSessionResult>(consoleSocket, COMMANDS.watchSession, { sessionId });
        expect(watched.ok && watched.data.participants.map((p) => p.state)).to.deep.equal(['admitted']);
        expect(states, 'never shown back in the waiting room or gone').to.not.include.members(['waiting', 'left', 'removed']);
        expect((await askForToken(again, sessionId)).ok, 'a second token after the sweep').to.equal(true);
        const detail = await therapist.call(HTTP_ROUTES.getSession, { params: { sessionId } });
        expect(detail.body.participants[0].state).to.equal('admitted');
        // The lost instance signed nothing (its debug log names every token it issues).
        expect(doomed.lines.filter(({ text }) => text.includes('"event":"token.issued"'))).to.deep.equal([]);
      } finally {
        consoleSocket.removeAllListeners(FACTS.presenceUpdated);
        await doomed.stop();
      }
    });

    it(`gives no token on the instance that is left to a client sent back or removed after ${signal} of the instance that admitted it`, async () => {
      const doomed = await startAppProcess({ REDIS_PREFIX: prefix, WAITING_GRACE_SECONDS: String(GRACE_SECONDS) });
      try {
        const { sessionId, clients } = await admittedOn(doomed, 'couple');
        const [sentBack, removed] = clients as [(typeof clients)[0], (typeof clients)[0]];
        const issuedBefore = await tokensIssued();
        const { swept } = await lose(doomed, signal, [sentBack.socket, removed.socket]);
        // While they are away, the console (on the survivor) sends one back and removes the other.
        expect(await command(consoleSocket, COMMANDS.sendBack, { sessionId, participantId: sentBack.participantId })).to.deep.include({ ok: true });
        expect(await command(consoleSocket, COMMANDS.remove, { sessionId, participantId: removed.participantId })).to.deep.include({ ok: true });

        // The one sent back reconnects to the waiting room: no token, on the socket or over HTTP.
        const back = track(await connectClient(survivor.origin, sentBack.invite, sentBack.deviceId));
        const checkIn = await command<CheckInResult>(back, COMMANDS.checkIn, { displayName: 'Partner 1' });
        expect(checkIn.ok && checkIn.data.state).to.equal('waiting');
        const refused = await askForToken(back, sessionId);
        expect(!refused.ok && refused.error.code).to.equal('not_admitted');
        const refusedHttp = await callRoute(survivor.origin, HTTP_ROUTES.joinToken, { body: { invite: sentBack.invite, deviceId: sentBack.deviceId } });
        expect(refusedHttp.status).to.equal(403);
        expect(refusedHttp.body.error.code).to.equal('not_admitted');

        // The removed one cannot connect at all, and its invite buys no token.
        const removedConnect = await connectClient(survivor.origin, removed.invite, removed.deviceId).then(
          (socket) => (track(socket), 'connected'),
          (error: { data?: { code?: string } }) => error.data?.code,
        );
        expect(removedConnect).to.equal('invalid_invite');
        const removedHttp = await callRoute(survivor.origin, HTTP_ROUTES.joinToken, { body: { invite: removed.invite, deviceId: removed.deviceId } });
        expect(removedHttp.status).to.equal(404);
        expect(removedHttp.body.error.code).to.equal('invalid_invite');

        // After the survivor's sweep, still nothing: the sweep never gives an admission back.
        await swept();
        const late = await askForToken(back, sessionId);
        expect(!late.ok && late.error.code).to.equal('not_admitted');
        const watched = await command<WatchSessionResult>(consoleSocket, COMMANDS.watchSession, { sessionId });
        expect(watched.ok && Object.fromEntries(watched.data.participants.map((p) => [p.participantId, p.state]))).to.deep.equal({
          [sentBack.participantId]: 'waiting',
          [removed.participantId]: 'removed',
        });
        expect(await tokensIssued(), 'no token issued').to.equal(issuedBefore);
        expect(doomed.lines.filter(({ text }) => text.includes('"event":"token.issued"'))).to.deep.equal([]);
      } finally {
        await doomed.stop();
      }
    });
  }
});
