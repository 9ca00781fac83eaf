import { expect } from 'chai';
import { useTherapistAndClient } from '../support/browser-stack.ts';
import { screenshot } from '../support/browser.ts';
import { inboundTotals, waitForRisingMedia } from '../support/browser-page-probe.ts';
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
} from '../support/browser-journeys.ts';

const WRONG_KEY = 'A'.repeat(43);

describe('e2e: the call is end-to-end encrypted with the session key', function () {
  this.timeout(60_000);
  const people = useTherapistAndClient();

  it('a participant handed a wrong key decodes no video, sees a different code and a clear error', async () => {
    // Tamper with the client's own signalling: the key in the server's answer is replaced on the way in.
    await people.client.page.routeWebSocket(/\/socket\.io\//u, (ws) => {
      const server = ws.connectToServer();
      server.onMessage((message) => {
        ws.send(typeof message === 'string' && message.includes('"keyIndex"') ? message.replace(/"key":"[^"]+"/u, `"key":"${WRONG_KEY}"`) : message);
      });
    });
    await therapistSignsIn(people.therapist.page, people.stack.t.origin, people.stack.therapist.email, people.stack.therapist.password);
    const [joinUrl] = await therapistCreatesSession(people.therapist.page, 'individual');
    await openSession(people.therapist.page);
    await therapistJoinsCall(people.therapist.page, { camera: true });
    await clientReadsNotice(people.client.page, joinUrl!);
    await clientChecksIn(people.client.page, 'Robin', { camera: true });
    await clickParticipantAction(people.therapist.page, 'Admit', 'Client');
    await waitForCallTiles(people.client.page, 2);

    // Packets arrive (the media server forwards them), but without the key nothing decodes.
    await waitForRisingMedia(people.client.page, { videoTracks: 0, audioTracks: 1 });
    await new Promise((resolve) => setTimeout(resolve, 3000));
    const atClient = await inboundTotals(people.client.page);
    const atTherapist = await inboundTotals(people.therapist.page);
    expect(Object.keys(atClient.videoFrames).length, 'an inbound video stream at the client').to.be.greaterThan(0);
    expect(Object.values(atClient.videoFrames).every((frames) => frames === 0), 'frames decoded with the wrong key').to.equal(true);
    expect(Object.values(atTherapist.videoFrames).every((frames) => frames === 0), 'frames decoded from the wrong key').to.equal(true);
    expect(await verificationCode(people.client.page)).to.not.equal(await verificationCode(people.therapist.page));
    // Both sides say plainly that encryption failed: never a silent fallback.
    for (const person of [people.client, people.therapist]) {
      expect(await person.page.getByRole('alert').filter({ hasText: 'Encryption failed' }).isVisible()).to.equal(true);
    }
    await screenshot(people.client.page, '60-client-wrong-key');
  });
});
