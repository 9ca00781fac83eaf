import { HTTP_ROUTES } from '@alcove/shared';
import { expect } from 'chai';
import type { Page } from 'playwright-core';
import { startE2eStack, type E2eStack } from '../support/browser-stack.ts';
import { newPerson, screenshot, type Person } from '../support/browser.ts';
import { expectAccessible } from '../support/browser-axe.ts';
import { mediaConnectionsClosed, notificationsShown, waitForRisingMedia } from '../support/browser-page-probe.ts';
import { loginTherapist, type TherapistClient } from '../support/api-client.ts';
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

const PHONE_PORTRAIT = { width: 390, height: 844 };


describe('e2e: a couple session from two locations in real Chromium', function () {
  this.timeout(60_000);
  let stack: E2eStack;
  let therapist: Person;
  let partner1: Person;
  let partner2: Person;
  let api: TherapistClient;
  let links: string[];
  let sessionId: string;

  before(async function () {
    this.timeout(90_000);
    stack = await startE2eStack();
    api = await loginTherapist(stack.t.origin, stack.therapist.email, stack.therapist.password);
    therapist = await newPerson(stack.browser, { origin: stack.t.origin, notifications: true });
    partner1 = await newPerson(stack.browser, { origin: stack.t.origin });
    partner2 = await newPerson(stack.browser, { origin: stack.t.origin, viewport: PHONE_PORTRAIT });
  });
  after(async () => {
    for (const person of [therapist, partner1, partner2]) await person?.close();
    await stack?.close();
  });

  const presenceOf = async (slot: number) => {
    const detail = await api.call(HTTP_ROUTES.getSession, { params: { sessionId } });
    return detail.body.participants.find((p: { slot: number }) => p.slot === slot);
  };

  it('gives each partner their own link and waiting place', async () => {
    await therapistSignsIn(therapist.page, stack.t.origin, stack.therapist.email, stack.therapist.password);
    links = await therapistCreatesSession(therapist.page, 'couple');
    await openSession(therapist.page);
    sessionId = (await therapist.page.locator('.session-panel').getAttribute('data-session-id'))!;
    await therapistJoinsCall(therapist.page, { camera: true });

    await clientReadsNotice(partner1.page, links[0]!);
    await clientChecksIn(partner1.page, 'Sam', { camera: true });
    await clientReadsNotice(partner2.page, links[1]!);
    await clientChecksIn(partner2.page, 'Kai', { camera: true });
    await waitForPresence(therapist.page, 'waiting', 2);
    expect(await therapist.page.title()).to.match(/^\(2\) /u);
    expect(await notificationsShown(therapist.page)).to.have.length(2);
    await screenshot(partner2.page, '20-phone-waiting-room');
    await expectAccessible(partner2.page, 'phone waiting room');
    await screenshot(therapist.page, '21-console-couple-waiting');
  });

  it('refuses a partner’s link on a second device, and tells the therapist', async () => {
    const elsewhere = await newPerson(stack.browser, { origin: stack.t.origin });
    try {
      await elsewhere.page.goto(links[0]!);
      await elsewhere.page.getByRole('heading', { name: 'Already open on another device' }).waitFor();
      await screenshot(elsewhere.page, '20b-client-link-in-use');
      await expectAccessible(elsewhere.page, 'link in use');
      await therapist.page.getByText('A second device tried to use the link of Partner 1', { exact: false }).first().waitFor();
    } finally {
      await elsewhere.close();
    }
  });

  it('lets a partner leave the waiting room and come back', async () => {
    await partner2.page.getByRole('button', { name: 'Leave the waiting room' }).click();
    await partner2.page.getByRole('heading', { name: 'You have left' }).waitFor();
    await screenshot(partner2.page, '20c-phone-left');
    await waitForPresence(therapist.page, 'left');
    await partner2.page.getByRole('button', { name: 'Go back to the waiting room' }).click();
    await partner2.page.getByRole('heading', { name: 'Check in' }).waitFor();
    expect(await partner2.page.getByLabel('Your name').inputValue()).to.equal('Kai');
    await partner2.page.getByRole('button', { name: 'Turn camera on' }).click();
    await partner2.page.getByRole('button', { name: 'Turn camera off' }).waitFor();
    await partner2.page.getByRole('button', { name: 'Check in', exact: true }).click();
    await partner2.page.getByRole('heading', { name: /You are checked in/u }).waitFor();
    await waitForPresence(therapist.page, 'waiting', 2);
  });

  it('keeps a partner’s place when they reload the waiting room', async () => {
    const before = await presenceOf(1);
    expect(before.state).to.equal('waiting');
    await partner1.page.reload();
    await partner1.page.getByRole('heading', { name: /You are checked in/u }).waitFor();
    const after = await presenceOf(1);
    expect(after.state).to.equal('waiting');
    expect(after.waitingSince).to.equal(before.waitingSince);
    // Coming back is not a new arrival: no second alert for the same person.
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(await notificationsShown(therapist.page)).to.have.length(3);
  });

  it('keeps a partner’s place through a dropped connection, and says so while reconnecting', async () => {
    const before = await presenceOf(2);
    await partner2.context.setOffline(true);
    await partner2.page.locator('.waiting-status', { hasText: 'Reconnecting' }).waitFor();
    await screenshot(partner2.page, '21b-phone-waiting-reconnecting');
    await partner2.context.setOffline(false);
    await partner2.page.locator('.waiting-status', { hasText: 'You are in the waiting room' }).waitFor({ timeout: 20_000 });
    const after = await presenceOf(2);
    expect(after.state).to.equal('waiting');
    expect(after.waitingSince).to.equal(before.waitingSince);
  });

  it('admits each partner on their own; everyone receives two remote videos and two remote voices', async () => {
    await clickParticipantAction(therapist.page, 'Admit', 'Partner 1');
    await waitForCallTiles(partner1.page, 2);
    // After the reload the camera stayed off (it never turns itself on); Sam turns it on in the call.
    expect(await partner1.page.locator('.control-camera').getAttribute('aria-pressed')).to.equal('false');
    await partner1.page.getByRole('button', { name: 'Camera', exact: true }).click();
    await partner1.page.locator('.control-camera[aria-pressed="true"]').waitFor();
    expect(await partner2.page.getByRole('heading', { name: /You are checked in/u }).isVisible()).to.equal(true);
    expect((await presenceOf(2)).state).to.equal('waiting');

    await clickParticipantAction(therapist.page, 'Admit', 'Partner 2');
    await Promise.all([waitForCallTiles(partner1.page, 3), waitForCallTiles(partner2.page, 3), waitForCallTiles(therapist.page, 3)]);
    const flows = await Promise.all(
      [therapist, partner1, partner2].map((person) => waitForRisingMedia(person.page, { videoTracks: 2, audioTracks: 2 }, 30_000)),
    );
    for (const flow of flows) expect(flow.rising).to.deep.equal({ video: 2, audio: 2 });
    await waitForPresence(therapist.page, 'in-call', 2);
    const codes = await Promise.all([therapist, partner1, partner2].map((person) => verificationCode(person.page, 3)));
    expect(new Set(codes).size, `verification codes ${codes.join(' / ')}`).to.equal(1);
    await screenshot(partner1.page, '22-couple-call-desktop');
    await screenshot(partner2.page, '23-couple-call-phone-portrait');
    await screenshot(therapist.page, '24-console-couple-call');
    await expectAccessible(partner2.page, 'phone call');
    await expectAccessible(therapist.page, 'console couple call');
  });

  it('sends one partner back to the waiting room and lets them in again', async () => {
    await clickParticipantAction(therapist.page, 'Send back', 'Partner 2');
    await partner2.page.getByRole('heading', { name: /You are checked in/u }).waitFor();
    expect(await partner2.page.locator('.waiting-status').innerText()).to.contain('will be with you again shortly');
    await waitForCallTiles(partner1.page, 2);
    await screenshot(partner2.page, '24b-phone-sent-back');
    await clickParticipantAction(therapist.page, 'Admit', 'Partner 2');
    await Promise.all([waitForCallTiles(partner2.page, 3), waitForCallTiles(partner1.page, 3)]);
    await waitForRisingMedia(partner1.page, { videoTracks: 1, audioTracks: 2 });
  });

  it('ends the session for everyone: all three are disconnected', async () => {
    await therapist.page.getByRole('button', { name: 'End session for everyone' }).click();
    await therapist.page.getByRole('dialog').waitFor();
    await screenshot(therapist.page, '25-console-end-confirm');
    await therapist.page.getByRole('dialog').getByRole('button', { name: 'End for everyone' }).click();
    await Promise.all([
      partner1.page.getByRole('heading', { name: 'The session has ended' }).waitFor(),
      partner2.page.getByRole('heading', { name: 'The session has ended' }).waitFor(),
      therapist.page.getByText('The session has ended for everyone.').first().waitFor(),
    ]);
    await screenshot(partner2.page, '26-phone-session-ended');
    await expectAccessible(partner1.page, 'session ended');
    for (const person of [therapist, partner1, partner2]) {
      expect(await person.page.evaluate(() => ((globalThis as any).__alcoveMediaSockets as unknown[]).length), 'LiveKit sockets the probe saw').to.be.greaterThan(0);
      await person.page.waitForFunction(mediaConnectionsClosed, null, { timeout: 10_000 });
      expect(await person.cspViolations()).to.deep.equal([]);
      expect(person.pageErrors).to.deep.equal([]);
    }
    for (const link of links) {
      const secret = new URL(link).hash.slice(1);
      for (const person of [therapist, partner1, partner2]) {
        for (const request of person.sent) {
          expect(request.url).to.not.contain(secret);
          expect(request.referer ?? '').to.not.contain(secret);
        }
      }
    }
  });
});
