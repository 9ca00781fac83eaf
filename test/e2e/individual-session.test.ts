import { expect } from 'chai';
import { useTherapistAndClient } from '../support/browser-stack.ts';
import { newPerson, screenshot } from '../support/browser.ts';
import { expectAccessible } from '../support/browser-axe.ts';
import { loginTherapist } from '../support/api-client.ts';
import { inboundSums, notificationsShown, soundsPlayed, waitForRisingMedia } from '../support/browser-page-probe.ts';
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


describe('e2e: an individual session in real Chromium', function () {
  this.timeout(60_000);
  const people = useTherapistAndClient({ therapistNotifications: true });
  let joinUrl: string;
  let secret: string;

  it('signs the therapist in and creates a session with one invitation link', async () => {
    await people.therapist.page.goto(`${people.stack.t.origin}/`);
    await people.therapist.page.getByRole('heading', { name: 'Private appointments' }).waitFor();
    await screenshot(people.therapist.page, '00-landing');
    await expectAccessible(people.therapist.page, 'landing');
    await people.therapist.page.getByRole('link', { name: 'Sign in as a therapist' }).click();
    await people.therapist.page.getByRole('heading', { name: 'Therapist sign-in' }).waitFor();
    await screenshot(people.therapist.page, '01-console-sign-in');
    await expectAccessible(people.therapist.page, 'sign-in');
    await therapistSignsIn(people.therapist.page, people.stack.t.origin, people.stack.therapist.email, people.stack.therapist.password);
    [joinUrl] = (await therapistCreatesSession(people.therapist.page, 'individual')) as [string];
    secret = new URL(joinUrl).hash.slice(1);
    await screenshot(people.therapist.page, '02-console-session-created');
    await expectAccessible(people.therapist.page, 'console');
  });

  it('shows the client a notice, then a device check with the camera off until they turn it on', async () => {
    await clientReadsNotice(people.client.page, joinUrl);
    expect(people.client.page.url()).to.equal(`${people.stack.t.origin}/join`);
    expect(await people.client.page.title()).to.equal('Appointment');
    await screenshot(people.client.page, '03-client-notice');
    await expectAccessible(people.client.page, 'notice');

    await people.client.page.getByRole('button', { name: 'Continue' }).click();
    await people.client.page.getByRole('button', { name: 'Turn camera on' }).waitFor();
    await people.client.page.locator('meter').waitFor();
    const cameraLive = await people.client.page.evaluate(() => (globalThis as any).document.querySelector('.preview-video').srcObject !== null);
    expect(cameraLive, 'camera must stay off until the person turns it on').to.equal(false);
    await screenshot(people.client.page, '04-client-check-in-camera-off');
    await expectAccessible(people.client.page, 'check-in');
  });

  it('checks the client in; the therapist is alerted with a sound, a notification and a tab-title badge', async () => {
    await people.client.page.getByRole('button', { name: 'Turn camera on' }).click();
    await people.client.page.getByRole('button', { name: 'Turn camera off' }).waitFor();
    await people.client.page.getByLabel('Your name').fill('Alex');
    await screenshot(people.client.page, '05-client-check-in-camera-on');
    await people.client.page.getByRole('button', { name: 'Check in', exact: true }).click();
    await people.client.page.getByRole('heading', { name: /You are checked in/u }).waitFor();
    await screenshot(people.client.page, '06-client-waiting-room');
    await expectAccessible(people.client.page, 'waiting room');

    await openSession(people.therapist.page);
    await waitForPresence(people.therapist.page, 'waiting');
    expect(await people.therapist.page.title()).to.match(/^\(1\) /u);
    expect(await notificationsShown(people.therapist.page)).to.deep.equal(['Someone is waiting']);
    expect(await soundsPlayed(people.therapist.page)).to.equal(1);
    expect(await people.therapist.page.locator('.participant-row[data-state="waiting"]').innerText()).to.contain('Alex');
    await screenshot(people.therapist.page, '07-console-client-waiting');
    await expectAccessible(people.therapist.page, 'console with someone waiting');
  });

  it('shows the therapist’s message in the waiting room', async () => {
    await people.therapist.page.getByLabel('Message', { exact: true }).fill('Running five minutes late, sorry.');
    await people.therapist.page.getByRole('button', { name: 'Send' }).click();
    await people.client.page.getByText('Running five minutes late, sorry.').waitFor();
    await screenshot(people.client.page, '08-client-waiting-room-message');
  });

  it('admits the client: both see and hear each other', async () => {
    await therapistJoinsCall(people.therapist.page, { camera: true });
    await clickParticipantAction(people.therapist.page, 'Admit', 'Client');
    await waitForCallTiles(people.client.page, 2);
    await waitForCallTiles(people.therapist.page, 2);
    const [atClient, atTherapist] = await Promise.all([
      waitForRisingMedia(people.client.page, { videoTracks: 1, audioTracks: 1 }),
      waitForRisingMedia(people.therapist.page, { videoTracks: 1, audioTracks: 1 }),
    ]);
    expect(atClient.rising).to.deep.equal({ video: 1, audio: 1 });
    expect(atTherapist.rising).to.deep.equal({ video: 1, audio: 1 });
    await waitForPresence(people.therapist.page, 'in-call');
    // End-to-end encrypted (the server evicts plaintext tracks here), and both see the same code.
    const code = await verificationCode(people.client.page);
    expect(code).to.match(/^\d{4} \d{4}$/u);
    expect(await verificationCode(people.therapist.page)).to.equal(code);
    for (const person of [people.client, people.therapist]) {
      expect(await person.page.locator('.call-encryption').getAttribute('data-state')).to.equal('on');
      expect(await person.page.locator('.call-encryption-error').isVisible()).to.equal(false);
    }
    await screenshot(people.client.page, '09-client-call');
    await screenshot(people.therapist.page, '10-console-call');
    await expectAccessible(people.client.page, 'client call');
    await expectAccessible(people.therapist.page, 'therapist call');
  });

  it('lets the therapist mute the client, who is told and can unmute; devices can be switched in the call', async () => {
    await clickParticipantAction(people.therapist.page, 'Mute', 'Client');
    await people.client.page.getByText('Your therapist muted your microphone.', { exact: false }).waitFor();
    await people.client.page.locator('.control-mic[aria-pressed="false"]').waitFor();
    await people.client.page.getByRole('button', { name: 'Microphone', exact: true }).click();
    await people.client.page.locator('.control-mic[aria-pressed="true"]').waitFor();
    await waitForRisingMedia(people.therapist.page, { videoTracks: 1, audioTracks: 1 });

    await people.client.page.getByRole('button', { name: 'Devices' }).click();
    await people.client.page.getByRole('dialog').getByLabel('Camera').waitFor();
    await screenshot(people.client.page, '10b-client-devices-dialog');
    await expectAccessible(people.client.page, 'devices dialog');
    await people.client.page.getByRole('dialog').getByRole('button', { name: 'Close' }).click();
  });

  it('the privacy screen stops the client’s outgoing video and audio; returning restores them', async () => {
    await people.client.page.keyboard.press('Escape');
    await people.client.page.getByRole('heading', { name: 'Paused' }).waitFor();
    await screenshot(people.client.page, '11-client-privacy-screen');
    await expectAccessible(people.client.page, 'privacy screen');
    // Let what was already in flight arrive, then nothing more may.
    await new Promise((resolve) => setTimeout(resolve, 1500));
    const before = await inboundSums(people.therapist.page);
    await new Promise((resolve) => setTimeout(resolve, 2000));
    const after = await inboundSums(people.therapist.page);
    expect(after.videoFrames - before.videoFrames, 'video frames decoded at the therapist').to.equal(0);
    expect(after.audioPackets - before.audioPackets, 'audio packets received at the therapist').to.be.at.most(2);

    await people.client.page.getByRole('button', { name: 'Return to the session' }).click();
    await waitForRisingMedia(people.therapist.page, { videoTracks: 1, audioTracks: 1 });
  });

  it('switches the client to audio only: remote video stops, voices continue, and back', async () => {
    await people.client.page.getByRole('button', { name: 'Audio only', exact: true }).click();
    await people.client.page.locator('.control-audio-only[aria-pressed="true"]').waitFor();
    await new Promise((resolve) => setTimeout(resolve, 1500));
    const before = await inboundSums(people.client.page);
    await new Promise((resolve) => setTimeout(resolve, 1500));
    const after = await inboundSums(people.client.page);
    expect(after.videoFrames - before.videoFrames, 'video frames decoded in audio-only mode').to.equal(0);
    expect(after.audioPackets - before.audioPackets, 'audio packets in audio-only mode').to.be.greaterThan(5);
    await screenshot(people.client.page, '11b-client-audio-only');
    await people.client.page.getByRole('button', { name: 'Audio only', exact: true }).click();
    await people.client.page.getByRole('button', { name: 'Camera', exact: true }).click();
    await waitForRisingMedia(people.client.page, { videoTracks: 1, audioTracks: 1 });
    await waitForRisingMedia(people.therapist.page, { videoTracks: 1, audioTracks: 1 });
  });

  it('shows “Reconnecting…” when the client’s connection drops during the call, and carries on', async () => {
    await people.client.context.setOffline(true);
    await people.client.page.getByText('Reconnecting… please stay on this page.').waitFor();
    await screenshot(people.client.page, '11c-client-reconnecting');
    await people.client.context.setOffline(false);
    await people.client.page.locator('.call-screen[data-connection="connected"]').waitFor({ timeout: 30_000 });
    expect(await people.client.page.locator('.call-banner').isVisible()).to.equal(false);
    await waitForRisingMedia(people.client.page, { videoTracks: 1, audioTracks: 1 });
    await waitForRisingMedia(people.therapist.page, { videoTracks: 1, audioTracks: 1 });
  });

  it('removing the client sends them out kindly, and their link no longer works', async () => {
    await clickParticipantAction(people.therapist.page, 'Remove', 'Client');
    await people.therapist.page.getByRole('dialog').getByRole('button', { name: 'Remove' }).click();
    await people.client.page.getByRole('heading', { name: 'Your visit has ended' }).waitFor();
    await screenshot(people.client.page, '12-client-removed');
    await expectAccessible(people.client.page, 'removed');
    await waitForPresence(people.therapist.page, 'removed');

    await people.client.page.goto(joinUrl);
    await people.client.page.getByRole('heading', { name: 'This link does not work' }).waitFor();
    await screenshot(people.client.page, '13-client-link-revoked');
  });

  it('tells a client who comes too early when to come back', async () => {
    const api = await loginTherapist(people.stack.t.origin, people.stack.therapist.email, people.stack.therapist.password);
    const later = await api.createSession('individual', { startsAt: Date.now() + 3 * 60 * 60_000 });
    const early = await newPerson(people.stack.browser, { origin: people.stack.t.origin });
    try {
      await early.page.goto(later.invites[0]!.joinUrl);
      await early.page.getByRole('heading', { name: 'A little early' }).waitFor();
      await screenshot(early.page, '14-client-too-early');
      await expectAccessible(early.page, 'too early');
    } finally {
      await early.close();
    }
  });

  it('never sends the invite secret in a request URL or Referer, never talks to a third-party host, and never violates the CSP', async () => {
    // Only the app itself and the LiveKit server (both on this machine): no CDN, font, analytics or STUN host.
    const allowedHosts = new Set([new URL(people.stack.t.origin).host, new URL(people.stack.t.config.livekit.url).host]);
    for (const person of [people.client, people.therapist]) {
      expect(person.sent.length).to.be.greaterThan(5);
      for (const request of person.sent) {
        const url = new URL(request.url);
        if (url.protocol !== 'data:' && url.protocol !== 'blob:') expect(allowedHosts, `request to ${url.host}`).to.include(url.host);
        expect(request.url, 'request URL').to.not.contain(secret);
        expect(request.referer ?? '', 'Referer').to.not.contain(secret);
      }
      expect(await person.cspViolations()).to.deep.equal([]);
      expect(person.pageErrors).to.deep.equal([]);
    }
    // The secret left the address bar and history at once.
    expect(people.client.page.url()).to.not.contain(secret);
  });
});
