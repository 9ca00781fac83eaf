/**
 * The rehearsal's faults: the production kit in its namespaces, with the TLS front (Caddy) and the
 * media server (LiveKit) taken down and brought back the way an operator's `systemctl stop` or a
 * crash would, while a client waits at home and a therapist watches from their office.
 * - LiveKit down while a client waits: the client is told nothing alarming (they need no media
 *   yet), the therapist's Admit says plainly that the video service is not answering, nothing
 *   changes; once LiveKit is back, Admit works and media flows.
 * - Caddy down for longer than the grace period: the client reads that the connection to the
 *   practice is interrupted and that their place is kept; the server shows them as gone; once Caddy
 *   is back the page reconnects by itself into the same place.
 * - LiveKit crashing during the call, over Caddy and TLS: the client's "Reconnecting…" is true and
 *   the call heals by itself (test/e2e/livekit-restart.test.ts proves the rest on loopback).
 * - With both people in the call: the TURN credentials LiveKit handed each of them are their own,
 *   live five minutes, and are refused once expired or altered (see turn-credentials.ts).
 * How long the client took to be back in the waiting room is printed, never asserted.
 */
import { expect } from 'chai';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';
import { en } from '../../client/src/i18n/messages-en.ts';
import { es } from '../../client/src/i18n/messages-es.ts';
import { newPerson, type Person } from '../support/browser.ts';
import { waitForRisingMedia } from '../support/browser-page-probe.ts';
import {
  clickParticipantAction,
  clientChecksIn,
  clientReadsNotice,
  openSession,
  therapistCreatesSession,
  therapistJoinsCall,
  therapistSignsIn,
  waitForCallTiles,
  waitForPresence,
} from '../support/browser-journeys.ts';
import { eventually } from '../support/eventually.ts';
import { MEDIA_IP, NAMES, SERVER_NS, placeNs, runIn, type Place } from './network.ts';
import { useRehearsalWorld } from './rehearsal-world.ts';
import { mintTurnCredential, readTurnUsername } from './turn-credentials.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const ORIGIN = `https://${NAMES.app}`;
const PLACES: Place[] = ['home', 'therapist'];
/** The kit's grace period (WAITING_GRACE_SECONDS, not set in app.env: the app's default). */
const GRACE_MS = 60_000;
const STEP_MS = 20_000;
/** LiveKit's turn.ttl_seconds default; the kit does not change it. */
const TURN_TTL_SECONDS = 300;

interface TurnCredential {
  username: string;
  credential: string;
}

/** In the page: the TURN credentials LiveKit handed this participant at its last join. */
const readTurnCredential = (): TurnCredential | null => {
  const servers = ((globalThis as any).__alcovePeerConnections as any[])
    .filter((pc) => pc.connectionState !== 'closed')
    .flatMap((pc) => pc.getConfiguration().iceServers ?? []);
  const turn = servers.find((server: any) => [server.urls].flat().some((url: string) => /^turns?:/u.test(url)));
  return turn ? { username: turn.username, credential: turn.credential } : null;
};

/** An Allocate on LiveKit's TURN over UDP from the home network: "allocated" or "refused <code>". */
function allocateWith(credential: TurnCredential): string {
  const probe = runIn(placeNs('home'), join(ROOT, 'node_modules/.bin/tsx'), [
    join(ROOT, 'test/rehearsal/turn-probe.ts'),
    MEDIA_IP,
    '3478',
    credential.username,
    credential.credential,
  ]);
  if (probe.code !== 0) throw new Error(`turn-probe: ${probe.stderr}`);
  const result = JSON.parse(probe.stdout) as { allocated: boolean; permissions: Record<string, string> };
  return result.allocated ? 'allocated' : (result.permissions.error ?? 'refused').replace('allocation ', '');
}

interface StoredParticipant {
  status: string;
  waitingSince: string;
}

describe('rehearsal: when the front or the media server fails, people are told the truth and nobody loses their place', function () {
  this.timeout(120_000);
  const world = useRehearsalWorld('when-parts-fail', PLACES);
  let therapist: Person;
  let client: Person;
  let place: { waitingSince: string; shownSince: string };
  let clientTurn: TurnCredential;

  /** The participant as Redis holds it (one session, one client in this stack): the server's truth. */
  const stored = (): StoredParticipant => {
    const redis = (...args: string[]) => runIn(SERVER_NS, 'redis-cli', ['--no-auth-warning', '-u', world.stack!.appEnv.REDIS_URL!, ...args]);
    const prefix = world.stack!.appEnv.REDIS_PREFIX ?? 'alcove:';
    const keys = redis('--scan', '--pattern', `${prefix}participant:*`).stdout.split('\n').filter(Boolean);
    expect(keys, 'participant records').to.have.length(1);
    const [status, waitingSince] = redis('HMGET', keys[0]!, 'status', 'waitingSince').stdout.split('\n');
    return { status: status ?? '', waitingSince: waitingSince ?? '' };
  };
  /** `alcove doctor` on the server, as the operator runs it; its report is printed for the record. */
  const doctor = (when: string): { code: number; report: string } => {
    const run = world.stack!.runDoctor();
    process.stdout.write(`      alcove doctor ${when}:\n${run.stdout.replace(/^/gmu, '        ')}`);
    return { code: run.code, report: run.stdout };
  };
  const failingChecks = (report: string) => report.split('\n').filter((line) => line.startsWith('FAIL'));
  const waitingStatus = (page: Page) => page.locator('.waiting-status').innerText({ timeout: 2_000 });
  /** "since 18:02" as the therapist's console shows it beside a waiting client. */
  const shownSince = async (page: Page) => (await page.locator('.participant-row').first().innerText()).match(/since [^·\n]+/u)?.[0]?.trim() ?? '';

  before(async () => {
    therapist = await newPerson(world.browsers.therapist!, { origin: ORIGIN });
    client = await newPerson(world.browsers.home!, { origin: ORIGIN });
    world.people.push(therapist, client);
  });

  it('has a client waiting at home and the therapist watching the session', async () => {
    await therapistSignsIn(therapist.page, ORIGIN, world.stack!.therapist.email, world.stack!.therapist.password);
    const [link] = await therapistCreatesSession(therapist.page, 'individual');
    await openSession(therapist.page);
    await clientReadsNotice(client.page, link!);
    await clientChecksIn(client.page, 'Alex', { camera: true });
    await waitForPresence(therapist.page, 'waiting');
    expect(stored().status).to.equal('waiting');
    place = { waitingSince: stored().waitingSince, shownSince: await shownSince(therapist.page) };
    expect(place.shownSince).to.match(/^since /u);
  });

  it('LiveKit stopped while the client waits: the client is not alarmed, Admit says the video service is not answering, nothing changes', async () => {
    await world.stack!.stopService('livekit');
    try {
      await clickParticipantAction(therapist.page, 'Admit', 'Client');
      await therapist.page.locator('.panel-notice', { hasText: en['panel.error.mediaUnavailable'] }).waitFor({ timeout: STEP_MS });
      expect(es['panel.error.mediaUnavailable']).to.be.a('string').and.not.equal(en['panel.error.mediaUnavailable']);
      // Fails closed: still waiting, in the same place, and the client's page says only that.
      expect(stored()).to.deep.equal({ status: 'waiting', waitingSince: place.waitingSince });
      await waitForPresence(therapist.page, 'waiting');
      expect(await waitingStatus(client.page)).to.equal(en['waiting.status.waiting']);
      expect(await client.page.locator('.call-screen').count()).to.equal(0);
      const { code, report } = doctor('while LiveKit is stopped');
      expect(code, 'doctor exit code').to.equal(1);
      expect(failingChecks(report).join('\n')).to.match(/livekit/iu);
    } finally {
      // Brought back whatever happened, so one failure does not hide the next tests' results.
      await world.stack!.startService('livekit');
    }
  });

  it('Caddy stopped for longer than the grace period: the client reads that the connection is interrupted and their place is kept', async function () {
    this.timeout(GRACE_MS + 60_000);
    await world.stack!.stopService('caddy');
    await client.page.locator('.waiting-status', { hasText: en['waiting.status.reconnecting'] }).waitFor({ timeout: STEP_MS });
    expect(es['waiting.status.reconnecting']).to.be.a('string').and.not.equal(en['waiting.status.reconnecting']);
    await therapist.page.getByText(en['console.reconnecting']).first().waitFor({ timeout: STEP_MS });
    // The server gives up on the connection after the grace period, as it must for a closed page…
    await eventually(() => stored().status === 'left', 'the server showing the client as gone', GRACE_MS + 15_000, 500);
    // …while the page that is still open keeps saying the same calm thing, and is not closed.
    expect(await waitingStatus(client.page)).to.equal(en['waiting.status.reconnecting']);
    expect(await client.page.locator('.waiting-room').count()).to.equal(1);
    const { code, report } = doctor('while Caddy is stopped');
    expect(code, 'doctor exit code').to.equal(1);
    expect(failingChecks(report).length, report).to.be.greaterThan(0);
  });

  it('Caddy back: the client reconnects by itself into the same place, and the therapist sees them waiting since the same time', async () => {
    await world.stack!.startService('caddy');
    const answeredAt = Date.now();
    await client.page.locator('.waiting-status', { hasText: en['waiting.status.waiting'] }).waitFor({ timeout: STEP_MS });
    await eventually(() => stored().status === 'waiting', 'the client waiting again', STEP_MS, 200);
    const backMs = Date.now() - answeredAt;
    expect(stored().waitingSince, 'the same place in the queue').to.equal(place.waitingSince);
    await waitForPresence(therapist.page, 'waiting');
    expect(await shownSince(therapist.page)).to.equal(place.shownSince);
    process.stdout.write(`      client back in the waiting room ${(backMs / 1000).toFixed(1)} s after Caddy answered again (not asserted)\n`);
  });

  it('after both outages, Admit works and the client decodes the therapist’s video', async () => {
    await therapistJoinsCall(therapist.page, { camera: true });
    await clickParticipantAction(therapist.page, 'Admit', 'Client');
    await Promise.all([waitForCallTiles(client.page, 2), waitForCallTiles(therapist.page, 2)]);
    for (const person of [client, therapist]) {
      const flow = await waitForRisingMedia(person.page, { videoTracks: 1, audioTracks: 1 }, 45_000);
      expect(flow.rising).to.deep.equal({ video: 1, audio: 1 });
    }
  });

  it('hands each participant its own TURN credentials, living five minutes, refused once expired or altered', async () => {
    const nowSeconds = Math.floor(Date.now() / 1000);
    const [mine, theirs] = await Promise.all([client, therapist].map((person) => person.page.evaluate(readTurnCredential)));
    expect(mine, 'client TURN credentials').to.not.equal(null);
    expect(theirs, 'therapist TURN credentials').to.not.equal(null);
    clientTurn = mine!;
    expect(mine!.username).to.not.equal(theirs!.username);
    expect(mine!.credential).to.not.equal(theirs!.credential);
    const users = [mine!, theirs!].map((credential) => {
      const user = readTurnUsername(credential.username);
      expect(user.apiKey).to.equal(world.stack!.secrets.LIVEKIT_API_KEY);
      expect(user.participantId).to.match(/^PA_/u);
      expect(user.expiresAtSeconds).to.be.above(nowSeconds).and.at.most(nowSeconds + TURN_TTL_SECONDS);
      // Our reading of LiveKit's scheme is exact: the same pair, minted from the API secret.
      expect(mintTurnCredential(world.stack!.secrets.LIVEKIT_API_SECRET!, user)).to.deep.equal(credential);
      return user;
    });
    expect(users[0]!.participantId).to.not.equal(users[1]!.participantId);
    const secret = world.stack!.secrets.LIVEKIT_API_SECRET!;
    const probeUser = { apiKey: users[0]!.apiKey, participantId: 'PA_rehearsalprobe' };
    // A pair LiveKit would have issued, with a minute to live, is accepted (the control)…
    expect(allocateWith(mintTurnCredential(secret, { ...probeUser, expiresAtSeconds: nowSeconds + 60 }))).to.equal('allocated');
    // …the same pair a second past its lifetime is refused (pion/turn answers a refused credential
    // with 400 Bad Request rather than 401, so that clients do not retry it)…
    expect(allocateWith(mintTurnCredential(secret, { ...probeUser, expiresAtSeconds: nowSeconds - 1 }))).to.equal('refused 400');
    // …and a participant cannot stretch its own: a later expiry with the credential it was given.
    const stretched = mintTurnCredential(secret, { ...users[0]!, expiresAtSeconds: users[0]!.expiresAtSeconds + 3600 });
    expect(allocateWith({ username: stretched.username, credential: mine!.credential })).to.equal('refused 400');
  });

  it('LiveKit crashing during the call: over Caddy and TLS the client reads “Reconnecting…”, and the call heals by itself', async function () {
    this.timeout(90_000);
    await world.stack!.stopService('livekit', 'SIGKILL');
    try {
      await client.page.locator('.call-screen[data-connection="reconnecting"]').waitFor({ timeout: STEP_MS });
      await client.page.getByText(en['call.reconnecting']).waitFor({ timeout: STEP_MS });
    } finally {
      await world.stack!.startService('livekit');
    }
    await client.page.locator('.call-screen[data-connection="connected"]').waitFor({ timeout: 45_000 });
    const flow = await waitForRisingMedia(client.page, { videoTracks: 1, audioTracks: 1 }, 45_000);
    expect(flow.rising).to.deep.equal({ video: 1, audio: 1 });
    expect(client.pageErrors).to.deep.equal([]);
    // Rejoining got fresh TURN credentials: a new participant, a new expiry.
    const fresh = await client.page.evaluate(readTurnCredential);
    expect(fresh?.username).to.be.a('string').and.not.equal(clientTurn.username);
  });
});
