/**
 * Remove → those who stay decode under the new key, measured in real Chromium against the real
 * stack: a couple session with the therapist and both partners in the call; the therapist removes
 * partner 2; the console makes a new key, seals it to partner 1 and switches everyone to it. Per
 * removal it prints
 *   - switched: from the confirming click until the therapist and partner 1 both encrypt with the
 *     new key (livekit-client's worker told to use the new slot, seen by a tap in the test's pages);
 *   - decoding: until each of the two has decoded a picture from the other that was sent after the
 *     other switched (the first decoded frame later than that switch), the later of the two;
 *   - the frame gap a moment before the removal (how often a picture decodes at all on this
 *     machine now): a figure near it means the rotation cost nothing visible.
 * All pages run in one browser, so every timestamp comes from the same clock. Not a test.
 *
 *   npx tsx bench/removal-rotation.ts [--runs 10]
 */
import type { Page } from 'playwright-core';
import { startE2eStack } from '../test/support/browser-stack.ts';
import { newPerson, type Person } from '../test/support/browser.ts';
import { waitForRisingMedia } from '../test/support/browser-page-probe.ts';
import { livekitStack } from '../test/support/livekit-stack.ts';
import {
  clickParticipantAction,
  clientChecksIn,
  clientReadsNotice,
  therapistCreatesSession,
  therapistJoinsCall,
  therapistSignsIn,
  waitForCallTiles,
  waitForPresence,
} from '../test/support/browser-journeys.ts';

const runsArg = process.argv.indexOf('--runs');
const RUNS = runsArg > 0 ? Number(process.argv[runsArg + 1]) : 10;

/**
 * Test-only, in the bench's pages: when livekit-client tells its E2EE worker to encrypt with a
 * slot (a `setKey` that updates the current key index), and, once started, when a remote video
 * frame decodes (framesDecoded rising, polled every 10 ms). Plain JavaScript.
 */
const TAP_SCRIPT = `(() => {
  const g = globalThis;
  g.__benchSwitches = [];
  g.__benchDecodes = [];
  const post = Worker.prototype.postMessage;
  Worker.prototype.postMessage = function (message, ...rest) {
    try {
      if (message && message.kind === 'setKey' && message.data && message.data.updateCurrentKeyIndex) {
        g.__benchSwitches.push({ keyIndex: message.data.keyIndex, at: Date.now() });
      }
    } catch (error) {}
    return post.call(this, message, ...rest);
  };
  g.__benchWatchDecodes = async () => {
    g.__benchStopWatch = false;
    g.__benchDecodes = [];
    let last = -1;
    while (!g.__benchStopWatch) {
      let frames = 0;
      for (const pc of g.__alcovePeerConnections || []) {
        if (pc.connectionState === 'closed') continue;
        (await pc.getStats()).forEach((r) => {
          if (r.type === 'inbound-rtp' && r.kind === 'video') frames += r.framesDecoded || 0;
        });
      }
      if (last >= 0 && frames > last) g.__benchDecodes.push(Date.now());
      last = frames;
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  };
})();`;

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
};

const switchesOf = (page: Page) => page.evaluate(() => (globalThis as any).__benchSwitches as { keyIndex: number; at: number }[]);
const decodesOf = (page: Page) => page.evaluate(() => (globalThis as any).__benchDecodes as number[]);

/** The first switch later than `after`, waiting for it up to 15 s. */
async function switchAfter(page: Page, after: number): Promise<number> {
  const deadline = Date.now() + 15_000;
  while (Date.now() < deadline) {
    const found = (await switchesOf(page)).find((s) => s.at > after);
    if (found) return found.at;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error('no switch to a new key within 15 s');
}

async function firstDecodeAfter(page: Page, after: number): Promise<number> {
  const deadline = Date.now() + 15_000;
  while (Date.now() < deadline) {
    const found = (await decodesOf(page)).find((at) => at > after);
    if (found) return found;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error('no decoded frame after the switch within 15 s');
}

async function main(): Promise<void> {
  const stack = await startE2eStack();
  const people: Person[] = [];
  const switched: number[] = [];
  const decoding: number[] = [];
  const gaps: number[] = [];
  try {
    const [therapist, partner1, partner2] = await Promise.all([0, 1, 2].map(() => newPerson(stack.browser, { origin: stack.t.origin })));
    people.push(therapist!, partner1!, partner2!);
    for (const person of people) await person.context.addInitScript(TAP_SCRIPT);
    await therapistSignsIn(therapist!.page, stack.t.origin, stack.therapist.email, stack.therapist.password);
    for (let run = 1; run <= RUNS; run += 1) {
      const [link1, link2] = await therapistCreatesSession(therapist!.page, 'couple');
      await therapistJoinsCall(therapist!.page, { camera: true });
      await Promise.all([
        clientReadsNotice(partner1!.page, link1!).then(() => clientChecksIn(partner1!.page, 'Sam', { camera: true })),
        clientReadsNotice(partner2!.page, link2!).then(() => clientChecksIn(partner2!.page, 'Kai', { camera: true })),
      ]);
      await waitForPresence(therapist!.page, 'waiting', 2);
      await clickParticipantAction(therapist!.page, 'Admit', 'Partner 1');
      await clickParticipantAction(therapist!.page, 'Admit', 'Partner 2');
      await Promise.all(people.map((person) => waitForCallTiles(person.page, 3)));
      await Promise.all(people.map((person) => waitForRisingMedia(person.page, { videoTracks: 2, audioTracks: 2 }, 30_000)));

      // Watch decoding from before the removal (ten frames at partner 1, for the gap) until after it.
      const staying = [therapist!.page, partner1!.page];
      const watches = staying.map((page) => page.evaluate(() => (globalThis as any).__benchWatchDecodes()));
      await partner1!.page.waitForFunction(() => ((globalThis as any).__benchDecodes as number[]).length >= 10, null, { timeout: 15_000 });
      await clickParticipantAction(therapist!.page, 'Remove', 'Partner 2');
      const confirm = therapist!.page.getByRole('dialog').getByRole('button', { name: 'Remove' });
      await confirm.waitFor();
      const clickedAt = await confirm.evaluate((button) => {
        const at = Date.now();
        (button as unknown as { click(): void }).click();
        return at;
      });
      const [therapistSwitch, partnerSwitch] = await Promise.all([switchAfter(therapist!.page, clickedAt), switchAfter(partner1!.page, clickedAt)]);
      // Each decodes the other's frames sent after the other switched.
      const [atTherapist, atPartner] = await Promise.all([firstDecodeAfter(therapist!.page, partnerSwitch), firstDecodeAfter(partner1!.page, therapistSwitch)]);
      const before = (await decodesOf(partner1!.page)).filter((at) => at < clickedAt);
      const gap = median(before.slice(1).map((at, i) => at - before[i]!));
      await Promise.all(staying.map((page) => page.evaluate(() => void ((globalThis as any).__benchStopWatch = true))));
      await Promise.all(watches);
      switched.push(Math.max(therapistSwitch, partnerSwitch) - clickedAt);
      decoding.push(Math.max(atTherapist, atPartner) - clickedAt);
      gaps.push(gap);
      console.log(`run ${run}: switched ${switched.at(-1)} ms · decoding under the new key ${decoding.at(-1)} ms · frame gap before ${gap} ms`);

      await partner2!.page.getByRole('heading', { name: 'Your visit has ended' }).waitFor();
      await therapist!.page.getByRole('button', { name: 'End session for everyone' }).click();
      await therapist!.page.getByRole('dialog').getByRole('button', { name: 'End for everyone' }).click();
      await partner1!.page.getByRole('heading', { name: 'The session has ended' }).waitFor();
    }
  } finally {
    for (const person of people) await person.close();
    await stack.close();
    await (await livekitStack()).stop();
  }
  const line = (name: string, values: number[]) =>
    `  ${name.padEnd(34)} median ${median(values)} ms · min ${Math.min(...values)} ms · max ${Math.max(...values)} ms`;
  console.log(`\nremove → the two who stay, ${switched.length} removals`);
  console.log(line('both encrypt with the new key', switched));
  console.log(line('both decode under the new key', decoding));
  console.log(line('frame gap before the removal', gaps));
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
