/**
 * Time alone with one partner, in real Chromium with two browser contexts (two locations) and the
 * console: the held partner's page receives no media at all for the whole hold — its
 * RTCPeerConnections sampled again and again show no inbound bytes — while the therapist and the
 * other partner keep decoding each other; after "Bring back" all three decode each other again.
 * Both partners in turn, then the same console in an individual session offers no hold.
 */
import { expect } from 'chai';
import type { Page } from 'playwright-core';
import { FACTS } from '@alcove/shared';
import { startE2eStack, type E2eStack } from '../support/browser-stack.ts';
import { newPerson, screenshot, type Person } from '../support/browser.ts';
import { expectAccessible } from '../support/browser-axe.ts';
import { waitForRisingMedia } from '../support/browser-page-probe.ts';
import {
  clickParticipantAction,
  clientChecksIn,
  clientReadsNotice,
  therapistCreatesSession,
  therapistJoinsCall,
  therapistSignsIn,
  waitForCallTiles,
  waitForPresence,
} from '../support/browser-journeys.ts';

const STEP_TIMEOUT_MS = 15_000;
/** How many times the held page's stats are read during one hold (each a moment apart, with the others' media checked between). */
const HOLD_SAMPLES = 6;
const KEY_FACTS = Object.values(FACTS).filter((name) => name.startsWith('call:key-'));

interface InboundSample {
  /** Peer connections the page has made so far, and how many of them are open. */
  connections: number;
  open: number;
  /** inbound-rtp bytesReceived summed over every open connection, by kind; how many inbound-rtp reports. */
  videoBytes: number;
  audioBytes: number;
  inboundReports: number;
}

/**
 * Runs in the page: every RTCPeerConnection it ever made (the page probe keeps them), read with
 * getStats(). A closed connection has nothing to receive with; an open one must show no inbound bytes.
 * Plain JavaScript (see browser-page-probe.ts).
 */
const SAMPLE_INBOUND_SCRIPT = `(async () => {
  const sample = { connections: 0, open: 0, videoBytes: 0, audioBytes: 0, inboundReports: 0 };
  for (const pc of globalThis.__alcovePeerConnections) {
    sample.connections += 1;
    if (pc.connectionState === 'closed') continue;
    sample.open += 1;
    (await pc.getStats()).forEach((r) => {
      if (r.type !== 'inbound-rtp') return;
      sample.inboundReports += 1;
      if (r.kind === 'video') sample.videoBytes += r.bytesReceived ?? 0;
      if (r.kind === 'audio') sample.audioBytes += r.bytesReceived ?? 0;
    });
  }
  return sample;
})()`;

/** "Partner 1 (Sam)" as the Spanish console names them. */
const inSpanish = (who: string) => who.replace(/^Partner (\d)/u, 'Persona $1');

const sampleInbound = (page: Page) => page.evaluate(SAMPLE_INBOUND_SCRIPT) as Promise<InboundSample>;

describe('e2e: the therapist talks with one partner alone; the other, held, receives nothing', function () {
  this.timeout(240_000);
  let stack: E2eStack;
  let therapist: Person;
  let sam: Person;
  let kai: Person;
  /** Key facts that reached each partner's browser, while recording. */
  const keyFacts = new Map<Person, string[]>();

  before(async function () {
    this.timeout(90_000);
    stack = await startE2eStack();
    therapist = await newPerson(stack.browser, { origin: stack.t.origin });
    sam = await newPerson(stack.browser, { origin: stack.t.origin });
    kai = await newPerson(stack.browser, { origin: stack.t.origin });
    await therapistSignsIn(therapist.page, stack.t.origin, stack.therapist.email, stack.therapist.password);
    for (const person of [sam, kai]) {
      const seen: string[] = [];
      keyFacts.set(person, seen);
      person.page.on('websocket', (ws) =>
        ws.on('framereceived', ({ payload }) => {
          const text = String(payload);
          for (const name of KEY_FACTS) if (text.includes(`"${name}"`)) seen.push(name);
        }),
      );
    }
  });
  after(async () => {
    for (const person of [therapist, sam, kai]) await person?.close();
    await stack?.close();
  });

  const everyoneDecodes = (people: Person[], others: number) =>
    Promise.all(people.map((person) => waitForRisingMedia(person.page, { videoTracks: others, audioTracks: others }, 30_000)));

  /** The held page is sampled until `until` resolves (or HOLD_SAMPLES are taken), with the others' media checked between samples. */
  async function sampleWhileHeld(held: Person, staying: Person[], at: string): Promise<InboundSample[]> {
    const samples: InboundSample[] = [];
    for (let i = 0; i < HOLD_SAMPLES; i += 1) {
      samples.push(await sampleInbound(held.page));
      // The therapist and the partner who stays decode each other meanwhile: frames rising on both sides.
      await everyoneDecodes(staying, 1);
    }
    for (const [i, s] of samples.entries()) {
      expect(s.videoBytes, `${at}: inbound video bytes at the held partner, sample ${i + 1} (${JSON.stringify(s)})`).to.equal(0);
      expect(s.audioBytes, `${at}: inbound audio bytes at the held partner, sample ${i + 1} (${JSON.stringify(s)})`).to.equal(0);
      expect(s.inboundReports, `${at}: inbound-rtp streams at the held partner, sample ${i + 1}`).to.equal(0);
    }
    return samples;
  }

  async function holdAndRelease(held: Person, heldWho: string, staying: Person, stayingWho: string, round: number): Promise<void> {
    const at = `hold ${round} (${heldWho})`;
    // The same look before the hold sees the call's media: the probe would see it during the hold too.
    const before = await sampleInbound(held.page);
    expect(before.videoBytes, `${at}: inbound video at the partner before the hold`).to.be.above(0);
    expect(before.audioBytes, `${at}: inbound audio at the partner before the hold`).to.be.above(0);
    keyFacts.get(held)!.length = 0;
    await therapist.page.getByRole('button', { name: `Talk with ${stayingWho} alone` }).click();
    await held.page.getByRole('heading', { name: 'Please wait a few minutes' }).waitFor({ timeout: STEP_TIMEOUT_MS });
    expect(await held.page.getByText('Your therapist is speaking with your partner for a few minutes.', { exact: false }).isVisible()).to.equal(true);
    // Its media connections closed (and LiveKit removed it server-side): from here on nothing may arrive.
    await held.page.waitForFunction(() => ((globalThis as any).__alcovePeerConnections as any[]).every((pc) => pc.connectionState === 'closed'), null, { timeout: STEP_TIMEOUT_MS });
    await waitForPresence(therapist.page, 'held', 1);
    const hearing = therapist.page.locator('.hearing-line');
    expect(await hearing.innerText()).to.equal(`You and ${stayingWho} can hear each other · ${heldWho} is on hold`);
    await Promise.all([waitForCallTiles(therapist.page, 2), waitForCallTiles(staying.page, 2)]);
    // No "talk alone" while someone is held: one partner at a time.
    expect(await therapist.page.getByRole('button', { name: /^Talk with/u }).count()).to.equal(0);

    await sampleWhileHeld(held, [therapist, staying], at);
    if (round === 1) {
      // A reload during the hold lands on the hold screen again: the server decides.
      await held.page.reload();
      await held.page.getByRole('heading', { name: 'Please wait a few minutes' }).waitFor({ timeout: STEP_TIMEOUT_MS });
      await sampleWhileHeld(held, [therapist, staying], `${at}, after a reload`);
      await screenshot(held.page, '83-couple-hold-screen');
      await expectAccessible(held.page, 'the hold screen');
      await screenshot(therapist.page, '84-console-partner-on-hold');
      await expectAccessible(therapist.page, 'the console with a partner on hold');
      for (const page of [held.page, therapist.page]) await page.getByRole('button', { name: 'Español' }).click();
      await held.page.getByRole('heading', { name: 'Espere unos minutos, por favor' }).waitFor({ timeout: STEP_TIMEOUT_MS });
      expect(await therapist.page.locator('.hearing-line').innerText()).to.equal(`Usted y ${inSpanish(stayingWho)} pueden oírse · ${inSpanish(heldWho)} está en espera`);
      await screenshot(held.page, '85-es-couple-hold-screen');
      await expectAccessible(held.page, 'the hold screen in Spanish');
      await screenshot(therapist.page, '86-es-console-partner-on-hold');
      await expectAccessible(therapist.page, 'the console with a partner on hold, in Spanish');
      for (const page of [held.page, therapist.page]) await page.getByRole('button', { name: 'English' }).click();
      await therapist.page.getByRole('button', { name: `Bring ${heldWho} back` }).waitFor({ timeout: STEP_TIMEOUT_MS });
    }
    // The last look, just before the release: still nothing.
    const last = await sampleInbound(held.page);
    expect(last, `${at}: just before the release`).to.include({ videoBytes: 0, audioBytes: 0, inboundReports: 0 });
    expect(keyFacts.get(held), `${at}: key facts delivered to the held partner during the hold`).to.deep.equal([]);

    // Bring back — by keyboard in the second round.
    const bringBack = therapist.page.getByRole('button', { name: `Bring ${heldWho} back` });
    if (round === 2) {
      await bringBack.focus();
      await therapist.page.keyboard.press('Enter');
    } else await bringBack.click();
    await Promise.all([therapist, sam, kai].map((person) => waitForCallTiles(person.page, 3)));
    // A reloaded page starts with its camera off, as after any reload: turned on again as a person would.
    const cameraOff = held.page.locator('.control-camera[aria-pressed="false"]');
    if (await cameraOff.count()) {
      await cameraOff.click();
      await held.page.locator('.control-camera[aria-pressed="true"]').waitFor({ timeout: STEP_TIMEOUT_MS });
    }
    await everyoneDecodes([therapist, sam, kai], 2);
    // Back with a fresh key: sealed to them after the release, and the call's encryption is on everywhere.
    expect(keyFacts.get(held), `${at}: a key sealed to the released partner`).to.include(FACTS.keySent);
    for (const person of [therapist, sam, kai]) expect(await person.page.locator('.call-encryption').getAttribute('data-state'), at).to.equal('on');
    expect(await therapist.page.locator('.hearing-line').isVisible()).to.equal(false);
  }

  it('holds each partner in turn: the held one receives no inbound media bytes at all, the others decode each other throughout, then all three again', async () => {
    const [link1, link2] = await therapistCreatesSession(therapist.page, 'couple');
    await therapistJoinsCall(therapist.page, { camera: true });
    await Promise.all([
      clientReadsNotice(sam.page, link1!).then(() => clientChecksIn(sam.page, 'Sam', { camera: true })),
      clientReadsNotice(kai.page, link2!).then(() => clientChecksIn(kai.page, 'Kai', { camera: true })),
    ]);
    await waitForPresence(therapist.page, 'waiting', 2);
    await clickParticipantAction(therapist.page, 'Admit', 'Partner 1');
    await clickParticipantAction(therapist.page, 'Admit', 'Partner 2');
    await Promise.all([therapist, sam, kai].map((person) => waitForCallTiles(person.page, 3)));
    await everyoneDecodes([therapist, sam, kai], 2);
    // Offered per partner, by name.
    for (const who of ['Partner 1 (Sam)', 'Partner 2 (Kai)']) await therapist.page.getByRole('button', { name: `Talk with ${who} alone` }).waitFor({ timeout: STEP_TIMEOUT_MS });

    await holdAndRelease(kai, 'Partner 2 (Kai)', sam, 'Partner 1 (Sam)', 1);
    await holdAndRelease(sam, 'Partner 1 (Sam)', kai, 'Partner 2 (Kai)', 2);

    await therapist.page.getByRole('button', { name: 'End session for everyone' }).click();
    await therapist.page.getByRole('dialog').getByRole('button', { name: 'End for everyone' }).click();
    await Promise.all([sam, kai].map((person) => person.page.getByRole('heading', { name: 'The session has ended' }).waitFor({ timeout: STEP_TIMEOUT_MS })));
    for (const person of [therapist, sam, kai]) {
      expect(await person.cspViolations()).to.deep.equal([]);
      expect(person.pageErrors).to.deep.equal([]);
    }
  });

  it('offers no hold in an individual session', async () => {
    const [link] = await therapistCreatesSession(therapist.page, 'individual');
    await therapistJoinsCall(therapist.page, { camera: true });
    await clientReadsNotice(sam.page, link!);
    await clientChecksIn(sam.page, 'Sam', { camera: true });
    await waitForPresence(therapist.page, 'waiting', 1);
    await clickParticipantAction(therapist.page, 'Admit', 'Client');
    await waitForPresence(therapist.page, 'in-call', 1);
    await everyoneDecodes([therapist, sam], 1);
    await therapist.page.getByRole('button', { name: /^Mute Client/u }).waitFor({ timeout: STEP_TIMEOUT_MS });
    expect(await therapist.page.getByRole('button', { name: /^Talk with/u }).count()).to.equal(0);
    expect(await therapist.page.locator('.hearing-line').isVisible()).to.equal(false);
  });
});
