import { expect } from 'chai';
import type { Page } from 'playwright-core';
import { FACTS, KEY_READY_TIMEOUT_MS, MISSING_KEY_GRACE_MS } from '@alcove/shared';
import { startE2eStack, type E2eStack } from '../support/browser-stack.ts';
import { newPerson, screenshot, type Person } from '../support/browser.ts';
import { inboundTotals, waitForRisingMedia } from '../support/browser-page-probe.ts';
import { eventually } from '../support/eventually.ts';
import {
  clickParticipantAction,
  clientChecksIn,
  clientReadsNotice,
  therapistCreatesSession,
  therapistJoinsCall,
  therapistSignsIn,
  verificationCode,
  waitForCallTiles,
  waitForPresence,
} from '../support/browser-journeys.ts';

const ROUNDS = 10;
/**
 * The promise to the people who stay: their picture keeps decoding within this long of the
 * rotation — held by the median of every look, so one look at a page starved of CPU by a busy
 * machine (the same page's look before the removal shows such stalls too) does not fail the run,
 * while a rotation that stalls the picture, which would do so in every round, does.
 */
const DECODE_AFTER_ROTATION_MS = 1000;
/** No look may go without a decoded frame this long: that is a picture that stopped, on any machine. */
const DECODE_GIVE_UP_MS = 10_000;
const STEP_TIMEOUT_MS = 15_000;

/** Facts that carry or switch the media key; the removed person must never see one. */
const KEY_FACTS = Object.values(FACTS).filter((name) => name.startsWith('call:key-'));

/**
 * Records every role="alert" that ever becomes visible, so an alert that shows and hides
 * again between two looks is still caught. Plain JavaScript (see browser-page-probe.ts).
 */
const ALERT_WATCH_SCRIPT = `(() => {
  const g = globalThis;
  g.__alcoveAlertsSeen = [];
  const look = () => {
    for (const el of document.querySelectorAll('[role="alert"]')) {
      const text = (el.textContent || '').trim();
      if (text && !el.closest('[hidden]') && el.getClientRects().length > 0 && !g.__alcoveAlertsSeen.includes(text)) g.__alcoveAlertsSeen.push(text);
    }
  };
  if (g.__alcoveAlertObserver) g.__alcoveAlertObserver.disconnect();
  g.__alcoveAlertObserver = new MutationObserver(look);
  g.__alcoveAlertObserver.observe(document.body, { subtree: true, childList: true, attributes: true, characterData: true });
  look();
})()`;

const watchAlerts = (page: Page) => page.evaluate(ALERT_WATCH_SCRIPT);
const alertsSeen = (page: Page) => page.evaluate(() => ((globalThis as any).__alcoveAlertsSeen ?? []) as string[]);

/**
 * Runs in the page, so no round trip to the test adds to the figure: how many ms until some
 * remote video track decodes a new frame (framesDecoded rising), polled every 10 ms; gives up
 * (and says so with -1) after `giveUpMs`. Plain JavaScript (see browser-page-probe.ts).
 */
const MS_UNTIL_VIDEO_DECODES_SCRIPT = `async (giveUpMs) => {
  const read = async () => {
    const frames = {};
    for (const pc of globalThis.__alcovePeerConnections) {
      if (pc.connectionState === 'closed') continue;
      (await pc.getStats()).forEach((r) => {
        if (r.type !== 'inbound-rtp' || r.kind !== 'video') return;
        const id = String(r.trackIdentifier ?? r.id);
        frames[id] = (frames[id] ?? 0) + (r.framesDecoded ?? 0);
      });
    }
    return frames;
  };
  const started = performance.now();
  const before = await read();
  for (;;) {
    const now = await read();
    if (Object.keys(now).some((id) => now[id] > (before[id] ?? 0))) return Math.round(performance.now() - started);
    if (performance.now() - started > giveUpMs) return -1;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}`;

/** ms until the page decodes another remote video frame; -1 if none within 10 s. */
const msUntilVideoDecodes = (page: Page): Promise<number> => page.evaluate(`(${MS_UNTIL_VIDEO_DECODES_SCRIPT})(${DECODE_GIVE_UP_MS})`) as Promise<number>;

describe('e2e: removing one partner rotates the key without alarming those who stay', function () {
  this.timeout(ROUNDS * 40_000);
  let stack: E2eStack;
  let therapist: Person;
  let partner1: Person;
  let partner2: Person;
  /** Encryption problems LiveKit logged in a page, by person. */
  const cryptoLogs = new Map<Person, string[]>();
  /** Key facts that reached partner 2's browser (who is removed every round). */
  const keyFactsAtRemoved: string[] = [];

  before(async function () {
    this.timeout(90_000);
    stack = await startE2eStack();
    therapist = await newPerson(stack.browser, { origin: stack.t.origin });
    partner1 = await newPerson(stack.browser, { origin: stack.t.origin });
    partner2 = await newPerson(stack.browser, { origin: stack.t.origin });
    await therapistSignsIn(therapist.page, stack.t.origin, stack.therapist.email, stack.therapist.password);
    for (const person of [therapist, partner1, partner2]) {
      const logs: string[] = [];
      cryptoLogs.set(person, logs);
      person.page.on('console', (message) => {
        if (/MissingKey|InvalidKey|decrypt|encrypt/iu.test(message.text())) logs.push(message.text());
      });
    }
    partner2.page.on('websocket', (ws) =>
      ws.on('framereceived', ({ payload }) => {
        const text = String(payload);
        for (const name of KEY_FACTS) if (text.includes(`"${name}"`)) keyFactsAtRemoved.push(name);
      }),
    );
  });
  after(async () => {
    for (const person of [therapist, partner1, partner2]) await person?.close();
    await stack?.close();
  });

  /** A new couple session with all three in the call, everyone seeing the other two, the same code everywhere. */
  async function coupleInCall(at: string): Promise<{ codeBefore: string }> {
    isRotating = false;
    // A removed person's invite is revoked for good, so each removal needs a new couple session.
    const [link1, link2] = await therapistCreatesSession(therapist.page, 'couple');
    await therapistJoinsCall(therapist.page, { camera: true });
    await Promise.all([
      clientReadsNotice(partner1.page, link1!).then(() => clientChecksIn(partner1.page, 'Sam', { camera: true })),
      clientReadsNotice(partner2.page, link2!).then(() => clientChecksIn(partner2.page, 'Kai', { camera: true })),
    ]);
    await waitForPresence(therapist.page, 'waiting', 2);
    await clickParticipantAction(therapist.page, 'Admit', 'Partner 1');
    await clickParticipantAction(therapist.page, 'Admit', 'Partner 2');
    await Promise.all([therapist, partner1, partner2].map((person) => waitForCallTiles(person.page, 3)));
    await Promise.all([therapist, partner1, partner2].map((person) => waitForRisingMedia(person.page, { videoTracks: 2, audioTracks: 2 }, 30_000)));
    const codeBefore = await verificationCode(therapist.page, 3);
    expect(await verificationCode(partner1.page, 3), at).to.equal(codeBefore);
    await Promise.all([therapist, partner1].map((person) => watchAlerts(person.page)));
    for (const logs of cryptoLogs.values()) logs.length = 0;
    return { codeBefore };
  }

  async function removePartner2(): Promise<void> {
    isRotating = true;
    // Partner 2 was sealed the call's key when admitted; from the removal on, nothing more may reach them.
    keyFactsAtRemoved.length = 0;
    await clickParticipantAction(therapist.page, 'Remove', 'Partner 2');
    await therapist.page.getByRole('dialog').getByRole('button', { name: 'Remove' }).click();
    await partner2.page.getByRole('heading', { name: 'Your visit has ended' }).waitFor({ timeout: STEP_TIMEOUT_MS });
  }

  const nameOf = (person: Person) => (person === therapist ? 'therapist' : person === partner1 ? 'partner 1' : 'partner 2');

  /** What a failure message needs to tell an overloaded machine from a broken rotation. */
  async function stateOf(person: Person): Promise<string> {
    const state = await person.page.locator('.call-encryption').getAttribute('data-state').catch(() => null);
    return `${nameOf(person)}: encryption ${state}, alerts ${JSON.stringify(await alertsSeen(person.page).catch(() => []))}, logged ${JSON.stringify(cryptoLogs.get(person)!.slice(0, 3))}`;
  }

  /** The rotation is done for a person once their call shows the new key's code. */
  async function waitForNewCode(person: Person, codeBefore: string, timeoutMs = STEP_TIMEOUT_MS): Promise<void> {
    await person.page
      .waitForFunction(
        (before) => {
          const code = (globalThis as any).document.querySelector('.call-encryption .verification-code');
          return code !== null && code.textContent !== before;
        },
        codeBefore,
        { timeout: timeoutMs },
      )
      .catch(async (error: Error) => {
        throw new Error(`no new verification code: ${await stateOf(person)} (${error.message.split('\n')[0]})`);
      });
  }

  async function endSession(): Promise<void> {
    await therapist.page.getByRole('button', { name: 'End session for everyone' }).click();
    await therapist.page.getByRole('dialog').getByRole('button', { name: 'End for everyone' }).click();
    await Promise.all([
      partner1.page.getByRole('heading', { name: 'The session has ended' }).waitFor({ timeout: STEP_TIMEOUT_MS }),
      therapist.page.getByText('The session has ended for everyone.').first().waitFor({ timeout: STEP_TIMEOUT_MS }),
    ]);
  }

  it(`for ${ROUNDS} removals in a row: no error for those who stay, their video decodes within 1 s, the removed one gets nothing`, async () => {
    const decodeMs: number[] = [];
    /** The same measure a moment before each removal: what this machine gives without any rotation. */
    const baselineMs: number[] = [];
    for (let round = 1; round <= ROUNDS; round += 1) {
      const at = `round ${round}`;
      const { codeBefore } = await coupleInCall(at);
      baselineMs.push(...(await Promise.all([therapist, partner1].map((person) => msUntilVideoDecodes(person.page)))));

      await removePartner2();
      await Promise.all([therapist, partner1].map((person) => waitForNewCode(person, codeBefore)));
      const codesAfter = await Promise.all([therapist, partner1].map((person) => verificationCode(person.page)));
      expect(codesAfter[0], at).to.equal(codesAfter[1]);
      const [therapistMs, partnerMs] = await Promise.all([therapist, partner1].map((person) => msUntilVideoDecodes(person.page)));
      decodeMs.push(therapistMs!, partnerMs!);
      for (const [person, ms] of [[therapist, therapistMs!], [partner1, partnerMs!]] as const) {
        const context = `baseline before it: ${baselineMs.slice(-2).join(', ')}; ${await stateOf(person)}`;
        expect(ms, `${at}: ms until the ${nameOf(person)} decoded video after the rotation (${context})`).to.be.within(0, DECODE_GIVE_UP_MS);
      }
      await Promise.all([waitForCallTiles(therapist.page, 2), waitForCallTiles(partner1.page, 2)]);
      // Those who stay were never told encryption failed.
      for (const person of [therapist, partner1]) {
        const who = `${at}, ${person === therapist ? 'therapist' : 'partner 1'}`;
        expect(await alertsSeen(person.page), `alerts seen by the ${who}`).to.deep.equal([]);
        expect(await person.page.locator('.call-encryption').getAttribute('data-state'), who).to.equal('on');
        // No frame was dropped for want of a key: everyone held the new key before anyone used it.
        expect(cryptoLogs.get(person), `encryption errors logged by the ${who}`).to.deep.equal([]);
      }
      // The removed person's media connections are closed, so nothing can decode there any more.
      await partner2.page.waitForFunction(() => ((globalThis as any).__alcovePeerConnections as any[]).every((pc) => pc.connectionState === 'closed'), null, {
        timeout: STEP_TIMEOUT_MS,
      });
      expect(Object.keys((await inboundTotals(partner2.page)).videoFrames), `${at}: video streams open at the removed partner`).to.deep.equal([]);
      expect(keyFactsAtRemoved, `${at}: key facts delivered to the removed partner`).to.deep.equal([]);
      if (round === 1) await screenshot(partner1.page, '27-couple-after-removal');
      await endSession();
    }
    const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
    const figures = (values: number[]) => `median ${median(values)} ms, max ${Math.max(...values)} ms`;
    const summary = `next decoded frame after the rotation: ${figures(decodeMs)}; before the removal: ${figures(baselineMs)} (${decodeMs.length} looks each)`;
    console.log(`      ${summary}`);
    expect(median(decodeMs), summary).to.be.at.most(DECODE_AFTER_ROTATION_MS);
  });

  /**
   * What partner 1's socket does with the facts from the server from the moment the new key is
   * sent: pass them on, hold everything until released (a stalled connection), miss the first
   * sealed key (the console seals it once more to a browser that did not answer in time), or lose
   * every sealed key for good.
   */
  let partner1Link: 'pass' | 'stall' | 'miss-rotation' | 'lose-key' = 'pass';
  /** Set once partner 2 is being removed: the call's first key has come by then. */
  let isRotating = false;
  let releaseStall = () => {};
  let hasStalled = false;
  let isRouted = false;
  async function routePartner1Socket(): Promise<void> {
    if (isRouted) return;
    isRouted = true;
    await partner1.page.routeWebSocket(/\/socket\.io\//u, (ws) => {
      const server = ws.connectToServer();
      let held: Array<string | Buffer> | null = null;
      let missed = 0;
      server.onMessage((message) => {
        // Only sealed keys of a rotation (after the first key of the call), never the member lists.
        const isKey = typeof message === 'string' && message.includes(`"${FACTS.keySent}"`) && isRotating;
        if (isKey && partner1Link === 'miss-rotation' && missed === 0) {
          missed += 1;
          return;
        }
        if (isKey && partner1Link === 'lose-key') return;
        // One stall per test: the console's second envelope to a browser that did not answer in
        // time comes after the release, and must pass like everything else.
        if (isKey && partner1Link === 'stall' && held === null && !hasStalled) {
          hasStalled = true;
          held = [];
          // Everything from the new key on arrives late, in order, as over a stalled network.
          releaseStall = () => {
            for (const m of held ?? []) ws.send(m);
            held = null;
          };
        }
        if (held) held.push(message);
        else ws.send(message);
      });
    });
  }

  const hasLogged = (person: Person, text: string) => cryptoLogs.get(person)!.some((line) => line.includes(text));

  it('a key that arrives late, after the others switched, is taken in without an alarm; nor is one raised for someone who joins in the middle', async () => {
    await routePartner1Socket();
    partner1Link = 'stall';
    const { codeBefore } = await coupleInCall('late key');
    await removePartner2();
    // The therapist leaves and joins again at once, so joins with the new key only, while partner 1
    // (stalled) still encrypts with the old one: frames under a slot behind the newest key, which
    // stop at the switch and must not raise an alarm.
    await therapist.page.getByRole('button', { name: 'Leave', exact: true }).click();
    await therapistJoinsCall(therapist.page, { camera: true });
    await waitForNewCode(therapist, codeBefore);
    // Both grace rules are in play: each side drops the other's frames for want of a key.
    await eventually(() => hasLogged(partner1, 'MissingKey'), 'partner 1 missing the new key');
    await eventually(() => hasLogged(therapist, 'MissingKey'), 'the rejoined therapist missing the old key');
    releaseStall();
    await waitForNewCode(partner1, codeBefore);
    expect(await verificationCode(partner1.page)).to.equal(await verificationCode(therapist.page));
    await Promise.all([therapist, partner1].map((person) => waitForRisingMedia(person.page, { videoTracks: 1, audioTracks: 1 })));
    // An absence can only be seen over a window: outlast the grace period, by when an alarm would have been raised.
    await new Promise((resolve) => setTimeout(resolve, MISSING_KEY_GRACE_MS));
    for (const person of [therapist, partner1]) {
      expect(await alertsSeen(person.page), await stateOf(person)).to.deep.equal([]);
      expect(await person.page.locator('.call-encryption').getAttribute('data-state'), await stateOf(person)).to.equal('on');
    }
    await endSession();
  });

  it('a call that missed the new key is sealed it once more, and takes it in when told to switch, without an alarm', async () => {
    await routePartner1Socket();
    partner1Link = 'miss-rotation';
    const { codeBefore } = await coupleInCall('missed key');
    await removePartner2();
    await Promise.all([therapist, partner1].map((person) => waitForNewCode(person, codeBefore)));
    expect(await verificationCode(partner1.page)).to.equal(await verificationCode(therapist.page));
    await Promise.all([therapist, partner1].map((person) => waitForRisingMedia(person.page, { videoTracks: 1, audioTracks: 1 })));
    // An absence can only be seen over a window: outlast the grace period, by when an alarm would have been raised.
    await new Promise((resolve) => setTimeout(resolve, MISSING_KEY_GRACE_MS));
    for (const person of [therapist, partner1]) {
      expect(await alertsSeen(person.page), nameOf(person)).to.deep.equal([]);
      expect(await person.page.locator('.call-encryption').getAttribute('data-state'), nameOf(person)).to.equal('on');
    }
    await endSession();
  });

  it('a key that never arrives still blocks the call with the clear error, after the grace period', async () => {
    await routePartner1Socket();
    partner1Link = 'lose-key';
    const { codeBefore } = await coupleInCall('lost key');
    await removePartner2();
    await waitForNewCode(therapist, codeBefore);
    await partner1.page.getByRole('alert').filter({ hasText: 'Encryption failed' }).waitFor({ timeout: KEY_READY_TIMEOUT_MS + MISSING_KEY_GRACE_MS + STEP_TIMEOUT_MS });
    expect(await partner1.page.locator('.call-encryption').getAttribute('data-state')).to.equal('failed');
    // The therapist still decodes partner 1, who encrypts with the old key both still hold.
    expect(await alertsSeen(therapist.page)).to.deep.equal([]);
    await screenshot(partner1.page, '28-couple-key-never-arrived');
    await endSession();
    for (const person of [therapist, partner1, partner2]) {
      expect(await person.cspViolations()).to.deep.equal([]);
      expect(person.pageErrors).to.deep.equal([]);
    }
  });
});
