import { expect } from 'chai';
import type { Page as ChromiumPage } from 'playwright-core';
import { eventually } from '../support/eventually.ts';
import { startE2eStack, type E2eStack } from '../support/browser-stack.ts';
import { newPerson, screenshot, type Person } from '../support/browser.ts';
import { inboundTotals, mediaConnectionsClosed, waitForRisingMedia, type InboundTotals } from '../support/browser-page-probe.ts';
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
import {
  firefoxScreenshot,
  firefoxSoundsPlayed,
  launchFirefoxPerson,
  unexplainedPageErrors,
  visibleAlerts,
  waitForRisingMediaInFirefox,
  waitForText,
  type FirefoxPerson,
} from '../support/firefox.ts';
import * as firefoxJourney from '../support/firefox-journeys.ts';

const STEP_TIMEOUT_MS = 15_000;
/** While the other partner's picture decodes this many frames, none of the paused partner's may. */
const CLOCK_FRAMES = 45;
/** A stretch this many of the other partner's frames long with nothing from the paused one: the in-flight tail has passed. */
const QUIET_FRAMES = 10;

/** The inbound tracks that are in `after` but not in `before`: a newcomer's, when only they joined in between. */
function tracksAddedBetween(before: InboundTotals, after: InboundTotals): { video: string[]; audio: string[] } {
  return {
    video: Object.keys(after.videoFrames).filter((id) => !(id in before.videoFrames)),
    audio: Object.keys(after.audioPackets).filter((id) => !(id in before.audioPackets)),
  };
}

/**
 * What the watched tracks received while `clockVideo` (someone else's picture) decoded
 * `frames` more frames: waiting on the other stream's progress, not on the clock.
 */
async function receivedWhileOtherDecodes(page: ChromiumPage, clockVideo: string, watched: { video: string; audio: string }, frames: number) {
  const start = await inboundTotals(page);
  const deadline = Date.now() + STEP_TIMEOUT_MS;
  for (;;) {
    const now = await inboundTotals(page);
    if ((now.videoFrames[clockVideo] ?? 0) - (start.videoFrames[clockVideo] ?? 0) >= frames) {
      return {
        videoFrames: (now.videoFrames[watched.video] ?? 0) - (start.videoFrames[watched.video] ?? 0),
        audioPackets: (now.audioPackets[watched.audio] ?? 0) - (start.audioPackets[watched.audio] ?? 0),
      };
    }
    if (Date.now() > deadline) throw new Error(`the other partner's video did not decode ${frames} frames`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Resolves once both of these inbound tracks receive again (frames decoded, packets received). */
async function waitForTracksRising(page: ChromiumPage, tracks: { video: string; audio: string }): Promise<void> {
  const start = await inboundTotals(page);
  await eventually(async () => {
    const now = await inboundTotals(page);
    return (now.videoFrames[tracks.video] ?? 0) > (start.videoFrames[tracks.video] ?? 0) && (now.audioPackets[tracks.audio] ?? 0) > (start.audioPackets[tracks.audio] ?? 0);
  }, 'the video and voice to arrive again', STEP_TIMEOUT_MS);
}

describe('e2e: a couple session with one partner in Firefox and the other partner and the therapist in Chromium', function () {
  this.timeout(60_000);
  let stack: E2eStack;
  let therapist: Person;
  let partner1: Person;
  /** Partner 2, Kai, in Firefox ESR. */
  let firefox: FirefoxPerson;
  let links: string[];
  /** Kai's video and voice as the therapist and Sam receive them. */
  const kaiAt = new Map<Person, { video: string; audio: string }>();
  /** Sam's video as the therapist receives it: the clock for the privacy screen. */
  let samVideoAtTherapist: string;

  before(async function () {
    this.timeout(120_000);
    stack = await startE2eStack();
    therapist = await newPerson(stack.browser, { origin: stack.t.origin });
    partner1 = await newPerson(stack.browser, { origin: stack.t.origin });
    firefox = await launchFirefoxPerson();
  });
  after(async function () {
    this.timeout(30_000);
    await firefox?.close();
    for (const person of [therapist, partner1]) await person?.close();
    await stack?.close();
  });

  it('checks Kai in from Firefox: camera preview, microphone level and test sound work before the waiting room', async () => {
    await therapistSignsIn(therapist.page, stack.t.origin, stack.therapist.email, stack.therapist.password);
    links = await therapistCreatesSession(therapist.page, 'couple');
    await openSession(therapist.page);
    await therapistJoinsCall(therapist.page, { camera: true });

    const page = firefox.page;
    await firefoxJourney.clientReadsNotice(page, links[1]!);
    expect(page.url()).to.equal(`${stack.t.origin}/join`);
    await firefoxJourney.clientOpensCheckIn(page);
    // The microphone is open for the meter (Firefox's fake tone moves it); the camera is not, until asked.
    await page.waitForFunction(() => Number((globalThis as any).document.querySelector('meter')?.value ?? 0) > 0, { timeout: STEP_TIMEOUT_MS });
    expect(await page.evaluate(() => (globalThis as any).document.querySelector('.preview-video').srcObject)).to.equal(null);
    await firefoxJourney.byRole(page, 'button', 'Turn camera on').click();
    await page.waitForFunction(() => ((globalThis as any).document.querySelector('.preview-video')?.videoWidth ?? 0) > 0, { timeout: STEP_TIMEOUT_MS });
    await firefoxJourney.byRole(page, 'button', 'Play test sound').click();
    await waitForText(page, 'Did you hear three rising notes?');
    expect(await firefoxSoundsPlayed(page)).to.equal(1);
    expect(await visibleAlerts(page), 'device problems shown').to.deep.equal([]);
    await firefoxScreenshot(page, '80-firefox-check-in');
    await firefoxJourney.clientSubmitsCheckIn(page, 'Kai');

    await clientReadsNotice(partner1.page, links[0]!);
    await clientChecksIn(partner1.page, 'Sam', { camera: true });
    await waitForPresence(therapist.page, 'waiting', 2);
    expect(await therapist.page.locator('.participant-row[data-state="waiting"]', { hasText: 'Kai' }).count()).to.equal(1);
  });

  it('admits both: Firefox decodes the two Chromium pictures, and both Chromium pages decode Firefox’s', async () => {
    await clickParticipantAction(therapist.page, 'Admit', 'Partner 1');
    await Promise.all([waitForCallTiles(partner1.page, 2), waitForCallTiles(therapist.page, 2)]);
    await Promise.all([therapist, partner1].map((person) => waitForRisingMedia(person.page, { videoTracks: 1, audioTracks: 1 })));
    const beforeKai = new Map<Person, InboundTotals>();
    for (const person of [therapist, partner1]) beforeKai.set(person, await inboundTotals(person.page));
    samVideoAtTherapist = Object.keys(beforeKai.get(therapist)!.videoFrames)[0]!;

    await clickParticipantAction(therapist.page, 'Admit', 'Partner 2');
    await firefoxJourney.waitForCallTiles(firefox.page, 3);
    await Promise.all([waitForCallTiles(partner1.page, 3), waitForCallTiles(therapist.page, 3)]);
    const [atFirefox, ...atChromium] = await Promise.all([
      waitForRisingMediaInFirefox(firefox.page, { videoTracks: 2, audioTracks: 2 }, 30_000),
      ...[therapist, partner1].map((person) => waitForRisingMedia(person.page, { videoTracks: 2, audioTracks: 2 }, 30_000)),
    ]);
    expect(atFirefox!.rising).to.deep.equal({ video: 2, audio: 2 });
    for (const flow of atChromium) expect(flow.rising).to.deep.equal({ video: 2, audio: 2 });
    // Kai's tracks are the ones that arrived with Kai; they decode on both Chromium pages.
    for (const person of [therapist, partner1]) {
      const added = tracksAddedBetween(beforeKai.get(person)!, await inboundTotals(person.page));
      expect(added.video, 'Kai’s video tracks').to.have.length(1);
      expect(added.audio, 'Kai’s audio tracks').to.have.length(1);
      kaiAt.set(person, { video: added.video[0]!, audio: added.audio[0]! });
      const later = await inboundTotals(person.page);
      expect(later.videoFrames[added.video[0]!], 'frames of Kai’s video decoded').to.be.greaterThan(0);
    }

    const codes = [await firefoxJourney.verificationCode(firefox.page, 3), ...(await Promise.all([therapist, partner1].map((person) => verificationCode(person.page, 3))))];
    expect(codes[0]).to.match(/^\d{4} \d{4}$/u);
    expect(new Set(codes).size, `verification codes ${codes.join(' / ')}`).to.equal(1);
    expect(await firefox.page.$eval('.call-encryption', (el) => el.getAttribute('data-state'))).to.equal('on');
    expect(await visibleAlerts(firefox.page)).to.deep.equal([]);
    await firefoxScreenshot(firefox.page, '81-firefox-couple-call');
    await screenshot(therapist.page, '82-console-with-firefox-partner');
  });

  it('the privacy screen in Firefox stops Kai’s picture and voice at the others and silences them for Kai; returning restores both', async () => {
    await firefoxJourney.byRole(firefox.page, 'button', 'Privacy screen').click();
    await firefoxJourney.byRole(firefox.page, 'heading', 'Paused').wait();
    // Kai hears no one: every remote voice is muted in Kai's page.
    expect(await firefox.page.$$eval('.audio-sink audio', (els) => els.length > 0 && els.every((el) => (el as unknown as { muted: boolean }).muted))).to.equal(true);
    await firefoxScreenshot(firefox.page, '83-firefox-privacy-screen');
    // The therapist is told Kai's camera and microphone are off: only then must nothing more arrive.
    const kaiTile = therapist.page.locator('.tile[aria-label="Kai"]');
    await kaiTile.and(therapist.page.locator(':not(.has-video)')).waitFor({ timeout: STEP_TIMEOUT_MS });
    await kaiTile.locator('.tile-mic.is-off').waitFor({ timeout: STEP_TIMEOUT_MS });
    // The tile can say so while the last packets Kai sent before pausing are still on their way
    // (the signal and the media travel apart): let that tail pass — a quiet stretch of the other
    // partner's frames — and only then require that nothing more arrives.
    await eventually(async () => {
      const tail = await receivedWhileOtherDecodes(therapist.page, samVideoAtTherapist, kaiAt.get(therapist)!, QUIET_FRAMES);
      return tail.videoFrames === 0 && tail.audioPackets === 0;
    }, 'Kai’s last packets before the pause to pass', STEP_TIMEOUT_MS);
    const received = await receivedWhileOtherDecodes(therapist.page, samVideoAtTherapist, kaiAt.get(therapist)!, CLOCK_FRAMES);
    expect(received.videoFrames, 'frames of Kai’s video decoded at the therapist').to.equal(0);
    expect(received.audioPackets, 'packets of Kai’s voice received at the therapist').to.be.at.most(2);

    await firefoxJourney.byRole(firefox.page, 'button', 'Return to the session').click();
    await kaiTile.and(therapist.page.locator('.has-video')).waitFor({ timeout: STEP_TIMEOUT_MS });
    await waitForTracksRising(therapist.page, kaiAt.get(therapist)!);
    await waitForTracksRising(partner1.page, kaiAt.get(partner1)!);
    expect(await firefox.page.$$eval('.audio-sink audio', (els) => els.every((el) => !(el as unknown as { muted: boolean }).muted))).to.equal(true);
  });

  it('sends Kai back to the waiting room and lets Kai in again: pictures flow both ways again', async () => {
    await clickParticipantAction(therapist.page, 'Send back', 'Partner 2');
    await firefoxJourney.byRole(firefox.page, 'heading', 'Thank you, Kai. You are checked in.').wait();
    await waitForText(firefox.page, 'Your therapist will be with you again shortly.');
    await Promise.all([waitForCallTiles(partner1.page, 2), waitForCallTiles(therapist.page, 2)]);
    await firefox.page.waitForFunction(mediaConnectionsClosed, { timeout: STEP_TIMEOUT_MS });
    await firefoxScreenshot(firefox.page, '84-firefox-sent-back');

    await clickParticipantAction(therapist.page, 'Admit', 'Partner 2');
    await firefoxJourney.waitForCallTiles(firefox.page, 3);
    // Back from the waiting room the camera is off (the app never turns it on); Kai turns it on.
    await firefoxJourney.waitForSelector(firefox.page, '.control-camera[aria-pressed="false"]');
    await firefoxJourney.byRole(firefox.page, 'button', 'Camera').click();
    // Seen once in CI, never here since: the camera not on 15 s after the click. What the page showed then.
    await firefoxJourney.waitForSelector(firefox.page, '.control-camera[aria-pressed="true"]').catch(async (error: Error) => {
      const shown = await firefox.page.$eval('.call-screen', (el) => {
        const root = el as unknown as { dataset: Record<string, string>; querySelector(s: string): { textContent: string | null } | null };
        return { connection: root.dataset.connection, banner: root.querySelector('.call-banner')?.textContent, notice: root.querySelector('.call-notice')?.textContent };
      });
      throw new Error(`${error.message}; the call page then: ${JSON.stringify(shown)}`);
    });
    await Promise.all([
      waitForRisingMediaInFirefox(firefox.page, { videoTracks: 2, audioTracks: 2 }, 30_000),
      ...[therapist, partner1].map((person) => waitForRisingMedia(person.page, { videoTracks: 2, audioTracks: 2 }, 30_000)),
    ]);
  });

  it('removing Kai rotates the key: Kai’s Firefox receives nothing more, the two who stay keep decoding with no error', async () => {
    const codeBefore = await verificationCode(therapist.page, 3);
    await clickParticipantAction(therapist.page, 'Remove', 'Partner 2');
    await therapist.page.getByRole('dialog').getByRole('button', { name: 'Remove' }).click();
    await firefoxJourney.byRole(firefox.page, 'heading', 'Your visit has ended').wait();
    await firefoxScreenshot(firefox.page, '85-firefox-removed');
    await waitForPresence(therapist.page, 'removed');

    // Kai's page holds no open media connection (no peer connection, no LiveKit signalling socket):
    // nothing arrives there, nothing can decode, and leaving the page interrupts nothing.
    expect(await firefox.page.evaluate(() => ((globalThis as any).__alcoveMediaSockets as unknown[]).length), 'LiveKit sockets the probe saw').to.be.greaterThan(0);
    await firefox.page.waitForFunction(mediaConnectionsClosed, { timeout: STEP_TIMEOUT_MS });
    expect(
      await firefox.page.evaluate(() =>
        [...(globalThis as any).document.querySelectorAll('video, audio')].some((el: any) => el.srcObject?.getTracks().some((t: any) => t.readyState === 'live')),
      ),
      'a live track still attached in Kai’s page',
    ).to.equal(false);

    // Those who stay get the new key (their call shows its code), agree on it, and keep seeing each other.
    await Promise.all(
      [therapist, partner1].map((person) =>
        person.page.waitForFunction(
          (before) => {
            const code = (globalThis as any).document.querySelector('.call-encryption .verification-code');
            return code !== null && code.textContent !== before;
          },
          codeBefore,
          { timeout: STEP_TIMEOUT_MS },
        ),
      ),
    );
    const codesAfter = await Promise.all([therapist, partner1].map((person) => verificationCode(person.page)));
    expect(codesAfter[0]).to.equal(codesAfter[1]);
    await Promise.all([waitForCallTiles(partner1.page, 2), waitForCallTiles(therapist.page, 2)]);
    const flows = await Promise.all([therapist, partner1].map((person) => waitForRisingMedia(person.page, { videoTracks: 1, audioTracks: 1 })));
    for (const flow of flows) expect(flow.rising).to.deep.equal({ video: 1, audio: 1 });
    for (const person of [therapist, partner1]) {
      expect(await person.page.locator('.call-encryption').getAttribute('data-state')).to.equal('on');
      expect(await person.page.getByRole('alert').filter({ hasText: /\S/u }).count(), 'alerts shown to those who stay').to.equal(0);
    }

    // The removed link is revoked: Kai cannot come back in.
    await firefox.page.goto(links[1]!);
    await firefoxJourney.byRole(firefox.page, 'heading', 'This link does not work').wait();
  });

  it('Firefox never sent the invite secret in a request URL or Referer, and saw no CSP violation or page error', async () => {
    const secret = new URL(links[1]!).hash.slice(1);
    expect(firefox.sent.length).to.be.greaterThan(5);
    for (const request of firefox.sent) {
      expect(request.url, 'request URL').to.not.contain(secret);
      expect(request.referer ?? '', 'Referer').to.not.contain(secret);
    }
    expect(await firefox.cspViolations()).to.deep.equal([]);
    expect(unexplainedPageErrors(firefox.pageErrors)).to.deep.equal([]);
    for (const person of [therapist, partner1]) {
      expect(await person.cspViolations()).to.deep.equal([]);
      expect(person.pageErrors).to.deep.equal([]);
    }
  });
});
