/**
 * LiveKit restarted, stalled or down, with a LiveKit process this test owns (the shared
 * one serves every other test). A media failure never ends a session: a restarted
 * LiveKit's rooms are recreated when next needed, and while it is stalled or down the
 * therapist gets a 503 they can act on, well inside the console's 8 s command timeout.
 */
import { expect } from 'chai';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RoomServiceClient } from 'livekit-server-sdk';
import { COMMANDS, FACTS, type MediaTokenResponse, HTTP_ROUTES } from '@alcove/shared';
import { spawnLivekit, waitForLivekit } from '../../scripts/livekit.ts';
import { livekitApiHost, LIVEKIT_REQUEST_TIMEOUT_SECONDS } from '../../server/src/adapters/livekit/room-service.ts';
import { startTestApp, type TestApp } from '../support/test-app.ts';
import { loginTherapist, type TherapistClient, callRoute } from '../support/api-client.ts';
import { command, connectClient, connectTherapist, CONSOLE_COMMAND_TIMEOUT_MS, newDeviceId, nextEvent, type TypedClientSocket } from '../support/socket-clients.ts';
import { eventually } from '../support/eventually.ts';
import { freeTcpPort, freeUdpPort } from '../support/free-port.ts';
import { TEST_LIVEKIT_KEYS } from '../support/livekit-stack.ts';
import { joinMediaRoom } from '../support/rtc-participant.ts';


interface OwnLivekit {
  url: string;
  start(): Promise<void>;
  kill(): Promise<void>;
  /** Freezes it (SIGSTOP) and resolves once the kernel reports it stopped. */
  pause(): Promise<void>;
  resume(): void;
}

async function ownLivekit(webhookUrl: string): Promise<OwnLivekit> {
  const port = await freeTcpPort();
  const udpPort = await freeUdpPort();
  const workDir = mkdtempSync(join(tmpdir(), 'alcove-livekit-faults-'));
  let child: ChildProcess | null = null;
  return {
    url: `ws://127.0.0.1:${port}`,
    async start() {
      child = spawnLivekit({ port, udpPort, ...TEST_LIVEKIT_KEYS, webhookUrl, workDir, logLevel: 'error' }, 'ignore');
      await waitForLivekit(port);
    },
    async kill() {
      const proc = child;
      if (!proc || proc.exitCode !== null) return;
      const exited = new Promise((resolve) => proc.once('exit', resolve));
      proc.kill('SIGCONT');
      proc.kill('SIGKILL');
      await exited;
      child = null;
    },
    async pause() {
      const pid = child?.pid;
      if (!pid) throw new Error('LiveKit is not running');
      process.kill(pid, 'SIGSTOP');
      await eventually(() => /^\d+ \(.*\) T /u.test(readFileSync(`/proc/${pid}/stat`, 'utf8')), 'LiveKit to be stopped', 5_000, 20);
    },
    resume: () => void child?.kill('SIGCONT'),
  };
}

describe('LiveKit restarted, stalled or down', function () {
  this.timeout(90_000);
  let livekit: OwnLivekit;
  let t: TestApp;
  let therapist: TherapistClient;
  let consoleSocket: TypedClientSocket;
  const sockets: TypedClientSocket[] = [];

  before(async () => {
    const appPortHint = await freeTcpPort();
    livekit = await ownLivekit(`http://127.0.0.1:${appPortHint}/webhooks/livekit`);
    await livekit.start();
    t = await startTestApp({ env: { LIVEKIT_URL: livekit.url }, receivesWebhooks: false });
    const account = await t.addTherapist();
    therapist = await loginTherapist(t.origin, account.email, account.password);
    consoleSocket = await connectTherapist(t.origin, therapist.cookie);
  });
  afterEach(() => livekit.resume());
  after(async () => {
    for (const s of sockets) s.close();
    consoleSocket?.close();
    await t?.close();
    await livekit?.kill();
  });

  async function admittedClient() {
    const { session, secrets, invites } = await therapist.createSession('individual');
    await therapist.start(session.sessionId);
    const deviceId = newDeviceId();
    const client = await connectClient(t.origin, secrets[0]!, deviceId);
    sockets.push(client);
    await command(client, COMMANDS.checkIn, { displayName: 'Client' });
    const admit = await command(consoleSocket, COMMANDS.admit, { sessionId: session.sessionId, participantId: invites[0]!.participantId });
    expect(admit.ok).to.equal(true);
    const token = async () => callRoute<MediaTokenResponse>(t.origin, HTTP_ROUTES.joinToken, { body: { invite: secrets[0], deviceId } });
    return { session, token, secrets, invites, client };
  }

  it('heals a live session after LiveKit restarts: the room is recreated and an admitted client joins again', async () => {
    const { session, token } = await admittedClient();
    const first = await token();
    expect(first.status).to.equal(200);
    const before = await joinMediaRoom(livekit.url, first.body.token);
    await before.room.disconnect();

    await livekit.kill();
    await livekit.start();
    const rooms = new RoomServiceClient(livekitApiHost(livekit.url), TEST_LIVEKIT_KEYS.apiKey, TEST_LIVEKIT_KEYS.apiSecret);
    expect((await rooms.listRooms()).map((r) => r.name)).to.not.include(session.sessionId);

    // The browser asks for a fresh token when its connection fails; the token path heals the room.
    const fresh = await eventually(async () => {
      const response = await token();
      if (response.status !== 200) return null;
      return (await rooms.listRooms()).some((r) => r.name === session.sessionId) ? response.body : null;
    }, 'a fresh token for a room that exists again', 20_000, 250);
    const after = await joinMediaRoom(livekit.url, fresh.token);
    expect(after.isConnected()).to.equal(true);
    await after.room.disconnect();
    // The therapist's start heals it too, and the session was never ended.
    expect((await therapist.call(HTTP_ROUTES.startSession, { params: { sessionId: session.sessionId }, body: {} })).status).to.equal(200);
    expect((await therapist.call(HTTP_ROUTES.getSession, { params: { sessionId: session.sessionId } })).body.status).to.equal('live');
  });

  it('answers 503 well inside the console’s timeout while LiveKit is stalled, and works again when it resumes', async () => {
    const { session } = await therapist.createSession('individual');
    await livekit.pause();
    const started = Date.now();
    const response = await therapist.call(HTTP_ROUTES.startSession, { params: { sessionId: session.sessionId }, body: {} });
    const tookMs = Date.now() - started;
    expect(response.status).to.equal(503);
    expect(response.body.error.code).to.equal('service_unavailable');
    expect(tookMs).to.be.below(CONSOLE_COMMAND_TIMEOUT_MS);
    expect(tookMs).to.be.at.least(LIVEKIT_REQUEST_TIMEOUT_SECONDS * 1000 - 100);
    expect((await therapist.call(HTTP_ROUTES.getSession, { params: { sessionId: session.sessionId } })).body.status).to.equal('scheduled');
    livekit.resume();
    expect((await therapist.call(HTTP_ROUTES.startSession, { params: { sessionId: session.sessionId }, body: {} })).status).to.equal(200);
  });

  it('answers 503, not 500, while LiveKit is down, and logs no error', async () => {
    const { session } = await therapist.createSession('individual');
    const logsBefore = t.logs.length;
    await livekit.kill();
    try {
      const response = await therapist.call(HTTP_ROUTES.startSession, { params: { sessionId: session.sessionId }, body: {} });
      expect(response.status).to.equal(503);
      expect(response.body.error.code).to.equal('service_unavailable');
      // Named as the media service, so the console can say which part is not answering.
      expect(response.body.error.details).to.deep.equal({ service: 'media' });
      expect((await therapist.call(HTTP_ROUTES.startSession, { params: { sessionId: session.sessionId }, body: {} })).status).to.equal(503);
      const lines = t.logs.slice(logsBefore).map((line) => JSON.parse(line) as { level: string; event?: string });
      expect(lines.filter((l) => l.level === 'error')).to.deep.equal([]);
      // The outage is logged once, not once per failed call.
      expect(lines.filter((l) => l.event === 'livekit.unavailable')).to.have.length(1);
    } finally {
      await livekit.start();
    }
  });
  it('answers the pre-call connection check with 503 while LiveKit is down, and the client keeps waiting', async () => {
    const { session, secrets, invites } = await therapist.createSession('individual');
    const deviceId = newDeviceId();
    const client = await connectClient(t.origin, secrets[0]!, deviceId);
    sockets.push(client);
    await command(client, COMMANDS.checkIn, { displayName: 'Client' });
    await livekit.kill();
    try {
      const response = await callRoute(t.origin, HTTP_ROUTES.connectionCheck, { body: { invite: secrets[0], deviceId } });
      expect(response.status).to.equal(503);
      // The browser says the check could not run, rather than blaming the client's network.
      expect(response.body.error.details).to.deep.equal({ service: 'media' });
      const seen = await therapist.call(HTTP_ROUTES.getSession, { params: { sessionId: session.sessionId } });
      const participant = (seen.body.participants as Array<{ participantId: string; state: string }>).find((p) => p.participantId === invites[0]!.participantId);
      expect(participant?.state).to.equal('waiting');
    } finally {
      await livekit.start();
    }
  });

  it('removes a client while LiveKit is down: the therapist hears 503 for the media part, yet the console shows them removed, their page is closed and their link is dead', async () => {
    const { session, secrets, invites, client } = await admittedClient();
    const participantId = invites[0]!.participantId;
    const closed = nextEvent(client, FACTS.closed);
    const shown = nextEvent(consoleSocket, FACTS.presenceUpdated, (f) => f.participant.participantId === participantId && f.participant.state === 'removed');
    await livekit.kill();
    try {
      const ack = await command(consoleSocket, COMMANDS.remove, { sessionId: session.sessionId, participantId });
      expect(ack).to.deep.include({ ok: false });
      expect(await shown, 'the console is told what was done, though LiveKit could not be').to.deep.include({ sessionId: session.sessionId });
      expect(await closed).to.deep.equal({ reason: 'removed' });
      const refused = await callRoute(t.origin, HTTP_ROUTES.joinToken, { body: { invite: secrets[0], deviceId: newDeviceId() } });
      expect(refused.status).to.equal(404);
      const seen = await therapist.call(HTTP_ROUTES.getSession, { params: { sessionId: session.sessionId } });
      expect((seen.body.participants as Array<{ state: string }>)[0]?.state).to.equal('removed');
    } finally {
      await livekit.start();
    }
  });
});
