import { expect } from 'chai';
import { startE2eStack, type E2eStack } from '../support/browser-stack.ts';
import { newPerson, screenshot, type Person } from '../support/browser.ts';
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
  let stack: E2eStack;
  let therapist: Person;
  let client: Person;

  before(async function () {
    this.timeout(90_000);
    stack = await startE2eStack();
    therapist = await newPerson(stack.browser, { origin: stack.t.origin });
    client = await newPerson(stack.browser, { origin: stack.t.origin });
  });
  after(async () => {
    await therapist?.close();
    await client?.close();
    await stack?.close();
  });

  it('a participant handed a wrong key decodes no video, sees a different code and a clear error', async () => {
    // Tamper with the client's own signalling: the key in the server's answer is replaced on the way in.
    await client.page.routeWebSocket(/\/socket\.io\//u, (ws) => {
      const server = ws.connectToServer();
      server.onMessage((message) => {
        ws.send(typeof message === 'string' && message.includes('"keyIndex"') ? message.replace(/"key":"[^"]+"/u, `"key":"${WRONG_KEY}"`) : message);
      });
    });
    await therapistSignsIn(therapist.page, stack.t.origin, stack.therapist.email, stack.therapist.password);
    const [joinUrl] = await therapistCreatesSession(therapist.page, 'individual');
    await openSession(therapist.page);
    await therapistJoinsCall(therapist.page, { camera: true });
    await clientReadsNotice(client.page, joinUrl!);
    await clientChecksIn(client.page, 'Robin', { camera: true });
    await clickParticipantAction(therapist.page, 'Admit', 'Client');
    await waitForCallTiles(client.page, 2);

    // Packets arrive (the media server forwards them), but without the key nothing decodes.
    await waitForRisingMedia(client.page, { videoTracks: 0, audioTracks: 1 });
    await new Promise((resolve) => setTimeout(resolve, 3000));
    const atClient = await inboundTotals(client.page);
    const atTherapist = await inboundTotals(therapist.page);
    expect(Object.keys(atClient.videoFrames).length, 'an inbound video stream at the client').to.be.greaterThan(0);
    expect(Object.values(atClient.videoFrames).every((frames) => frames === 0), 'frames decoded with the wrong key').to.equal(true);
    expect(Object.values(atTherapist.videoFrames).every((frames) => frames === 0), 'frames decoded from the wrong key').to.equal(true);
    expect(await verificationCode(client.page)).to.not.equal(await verificationCode(therapist.page));
    // Both sides say plainly that encryption failed: never a silent fallback.
    for (const person of [client, therapist]) {
      expect(await person.page.getByRole('alert').filter({ hasText: 'Encryption failed' }).isVisible()).to.equal(true);
    }
    await screenshot(client.page, '60-client-wrong-key');
  });
});
