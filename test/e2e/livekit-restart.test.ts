/**
 * The media server crashes and comes back in the middle of a call, with a LiveKit process this
 * test owns (the shared one serves every other test). Nobody clicks anything: both browsers
 * show "Reconnecting…" while it is down, then rejoin by themselves with fresh tokens (which
 * recreate the room LiveKit forgot) and decode each other's video again, in the same call view.
 */
import { HTTP_ROUTES } from '@alcove/shared';
import { expect } from 'chai';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnLivekit, waitForLivekit } from '../../scripts/livekit.ts';
import { loginTherapist } from '../support/api-client.ts';
import { startE2eStack, type E2eStack } from '../support/browser-stack.ts';
import { newPerson, screenshot, type Person } from '../support/browser.ts';
import { waitForRisingMedia } from '../support/browser-page-probe.ts';
import {
  clickParticipantAction,
  clientChecksIn,
  clientReadsNotice,
  openSession,
  therapistCreatesSession,
  therapistJoinsCall,
  therapistSignsIn,
  verificationCode,
  waitForCallTiles,
  waitForPresence,
} from '../support/browser-journeys.ts';
import { freeTcpPort, freeUdpPort } from '../support/free-port.ts';
import { TEST_LIVEKIT_KEYS } from '../support/livekit-stack.ts';

/** From LiveKit answering again to both browsers decoding each other's video. */
const RECOVERY_BUDGET_MS = 30_000;

interface OwnLivekit {
  url: string;
  start(): Promise<void>;
  /** SIGKILL, as a crash or an OOM kill would: no goodbye to anyone. */
  kill(): Promise<void>;
}

function ownLivekit(port: number, udpPort: number, webhookUrl: string): OwnLivekit {
  const workDir = mkdtempSync(join(tmpdir(), 'alcove-livekit-restart-'));
  let child: ChildProcess | null = null;
  return {
    url: `ws://127.0.0.1:${port}`,
    async start() {
      const proc = spawnLivekit({ port, udpPort, ...TEST_LIVEKIT_KEYS, webhookUrl, workDir, logLevel: 'error' }, 'pipe');
      child = proc;
      let output = '';
      proc.stdout?.on('data', (chunk: Buffer) => void (output += chunk.toString()));
      proc.stderr?.on('data', (chunk: Buffer) => void (output += chunk.toString()));
      // Whatever answers on the port must be this process: one that exits (a port taken after it was
      // drawn) fails here with its own words, not later as a call that never connects.
      const exited = new Promise<never>((_, reject) => proc.once('exit', (code) => reject(new Error(`this test's livekit-server exited (${code}):\n${output.slice(-2000)}`))));
      exited.catch(() => undefined);
      await Promise.race([waitForLivekit(port), exited]);
    },
    async kill() {
      const proc = child;
      if (!proc || proc.exitCode !== null || proc.signalCode !== null) return;
      const exited = new Promise((resolve) => proc.once('exit', resolve));
      proc.kill('SIGKILL');
      await exited;
      child = null;
    },
  };
}

/** The people and parts of one describe: an e2e stack with its own LiveKit, a therapist's and a client's browser. */
interface OwnLivekitCall {
  stack: E2eStack;
  livekit: OwnLivekit;
  /** LiveKit's HTTP address: where livekit-client's prepareConnection sends its HEAD. */
  livekitHttp: string;
  therapist: Person;
  client: Person;
}

/** Mocha hooks of the calling describe that make, then take down, an OwnLivekitCall; filled in by `before`. */
function ownLivekitCall(): OwnLivekitCall {
  const call = {} as OwnLivekitCall;
  before(async function () {
    this.timeout(90_000);
    const port = await freeTcpPort();
    const udpPort = await freeUdpPort();
    call.stack = await startE2eStack({ env: { LIVEKIT_URL: `ws://127.0.0.1:${port}` } });
    // Webhooks straight to this app: participant and track events drive presence and the plaintext check.
    call.livekit = ownLivekit(port, udpPort, `${call.stack.t.origin}/webhooks/livekit`);
    call.livekitHttp = `http://127.0.0.1:${port}/`;
    await call.livekit.start();
    call.therapist = await newPerson(call.stack.browser, { origin: call.stack.t.origin });
    call.client = await newPerson(call.stack.browser, { origin: call.stack.t.origin });
  });
  after(async function () {
    this.timeout(30_000);
    await call.therapist?.close();
    await call.client?.close();
    await call.stack?.close();
    await call.livekit?.kill();
  });
  return call;
}

/** In the page: remembers the call screen element, to prove later that it was never rebuilt. */
const markCallScreen = () => {
  const g = globalThis as any;
  g.__alcoveCallScreen = g.document.querySelector('.call-screen');
  return g.__alcoveCallScreen !== null;
};
const isSameCallScreen = () => {
  const g = globalThis as any;
  return g.__alcoveCallScreen !== undefined && g.document.querySelector('.call-screen') === g.__alcoveCallScreen && g.__alcoveCallScreen.isConnected;
};

describe('e2e: LiveKit restarts in the middle of a call', function () {
  this.timeout(120_000);
  const call = ownLivekitCall();
  let code: string;

  it('puts a therapist and a client in a call, each decoding the other’s video', async () => {
    const { stack, therapist, client } = call;
    await therapistSignsIn(therapist.page, stack.t.origin, stack.therapist.email, stack.therapist.password);
    const [joinUrl] = (await therapistCreatesSession(therapist.page, 'individual')) as [string];
    await clientReadsNotice(client.page, joinUrl);
    await clientChecksIn(client.page, 'Alex', { camera: true });
    await openSession(therapist.page);
    await therapistJoinsCall(therapist.page, { camera: true });
    await clickParticipantAction(therapist.page, 'Admit', 'Client');
    await Promise.all([waitForCallTiles(client.page, 2), waitForCallTiles(therapist.page, 2)]);
    await Promise.all([
      waitForRisingMedia(client.page, { videoTracks: 1, audioTracks: 1 }),
      waitForRisingMedia(therapist.page, { videoTracks: 1, audioTracks: 1 }),
    ]);
    code = await verificationCode(client.page);
    expect(await verificationCode(therapist.page)).to.equal(code);
  });

  it('shows both “Reconnecting…” while LiveKit is down', async () => {
    const { livekit, therapist, client } = call;
    for (const person of [therapist, client]) expect(await person.page.evaluate(markCallScreen)).to.equal(true);
    await livekit.kill();
    await Promise.all(
      [therapist, client].map(async (person) => {
        await person.page.locator('.call-screen[data-connection="reconnecting"]').waitFor({ timeout: 15_000 });
        await person.page.getByText('Reconnecting… please stay on this page.').waitFor({ timeout: 15_000 });
      }),
    );
    await screenshot(client.page, '30-client-media-server-down');
    await screenshot(therapist.page, '31-console-media-server-down');
  });

  it('rejoins both by themselves once LiveKit is back: video decodes again both ways, same code, same call view, session still live', async () => {
    const { stack, livekit, therapist, client } = call;
    await livekit.start();
    const restartedAt = Date.now();
    await Promise.all(
      [therapist, client].map(async (person) => {
        await person.page.locator('.call-screen[data-connection="connected"]').waitFor({ timeout: RECOVERY_BUDGET_MS });
        await waitForRisingMedia(person.page, { videoTracks: 1, audioTracks: 1 }, RECOVERY_BUDGET_MS - (Date.now() - restartedAt));
      }),
    );
    const recoveredMs = Date.now() - restartedAt;
    console.log(`      media flowing both ways again ${(recoveredMs / 1000).toFixed(1)} s after LiveKit answered`);
    expect(recoveredMs).to.be.below(RECOVERY_BUDGET_MS);

    for (const person of [therapist, client]) {
      expect(await person.page.evaluate(isSameCallScreen), 'the call view stayed in place').to.equal(true);
      expect(await verificationCode(person.page)).to.equal(code);
      expect(await person.page.locator('.call-encryption').getAttribute('data-state')).to.equal('on');
      expect(await person.page.locator('.call-encryption-error').isVisible()).to.equal(false);
      expect(await person.page.locator('.call-banner').isVisible()).to.equal(false);
      expect(await person.cspViolations()).to.deep.equal([]);
      expect(person.pageErrors).to.deep.equal([]);
    }
    await Promise.all([waitForCallTiles(client.page, 2), waitForCallTiles(therapist.page, 2)]);
    const sessionId = await therapist.page.locator('.session-panel').getAttribute('data-session-id');
    const api = await loginTherapist(stack.t.origin, stack.therapist.email, stack.therapist.password);
    expect((await api.call<{ status: string }>(HTTP_ROUTES.getSession, { params: { sessionId: sessionId! } })).body.status).to.equal('live');
    await screenshot(client.page, '32-client-media-server-back');
  });
});

/**
 * LiveKit restarts while a client waits with the call already warmed (docs/client.md, "Warm while
 * waiting"): its Room, E2EE worker and view were made and the way to the LiveKit that then died was
 * warmed. The therapist's call rejoins by itself; when the therapist admits, the warm call connects
 * to the LiveKit that is running now, and both decode each other, encrypted, with one code.
 */
describe('e2e: LiveKit restarts while a warmed client waits', function () {
  this.timeout(120_000);
  const call = ownLivekitCall();

  it('admits the client after the restart into a call where both decode each other', async () => {
    const { stack, livekit, livekitHttp, therapist, client } = call;
    await therapistSignsIn(therapist.page, stack.t.origin, stack.therapist.email, stack.therapist.password);
    const [joinUrl] = (await therapistCreatesSession(therapist.page, 'individual')) as [string];
    await therapistJoinsCall(therapist.page, { camera: true });
    await clientReadsNotice(client.page, joinUrl);
    // The waiting room warms the way to LiveKit (livekit-client's prepareConnection: one HEAD to its URL).
    const warmed = client.page.waitForRequest((request) => request.method() === 'HEAD' && request.url() === livekitHttp, { timeout: 20_000 });
    await clientChecksIn(client.page, 'Alex', { camera: true });
    expect((await (await warmed).response())?.ok(), 'the warm-up reached the LiveKit that is about to die').to.equal(true);
    await waitForPresence(therapist.page, 'waiting');

    await livekit.kill();
    await therapist.page.locator('.call-screen[data-connection="reconnecting"]').waitFor({ timeout: 15_000 });
    await livekit.start();
    await therapist.page.locator('.call-screen[data-connection="connected"]').waitFor({ timeout: RECOVERY_BUDGET_MS });
    // The client needed no media while waiting and was told nothing.
    expect(await client.page.getByRole('heading', { name: /You are checked in/u }).isVisible(), 'still in the waiting room').to.equal(true);

    await clickParticipantAction(therapist.page, 'Admit', 'Client');
    await Promise.all([waitForCallTiles(client.page, 2), waitForCallTiles(therapist.page, 2)]);
    await Promise.all([
      waitForRisingMedia(client.page, { videoTracks: 1, audioTracks: 1 }),
      waitForRisingMedia(therapist.page, { videoTracks: 1, audioTracks: 1 }),
    ]);
    const code = await verificationCode(client.page);
    expect(await verificationCode(therapist.page)).to.equal(code);
    for (const person of [therapist, client]) {
      expect(await person.page.locator('.call-screen').getAttribute('data-connection')).to.equal('connected');
      expect(await person.page.locator('.call-encryption').getAttribute('data-state')).to.equal('on');
      expect(await person.page.locator('.call-encryption-error').isVisible()).to.equal(false);
      expect(await person.cspViolations()).to.deep.equal([]);
      expect(person.pageErrors).to.deep.equal([]);
    }
    await screenshot(client.page, '33-client-admitted-after-media-server-restart');
  });
});
