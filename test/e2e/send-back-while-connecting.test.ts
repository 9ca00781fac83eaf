/**
 * A client sent back while its call is still connecting leaves nothing open. livekit-client makes
 * its first peer connection before LiveKit answers the join, and an aborted join used to leave it
 * open (seen in the rehearsal on a slow machine: a connection in state "new" long after the page was
 * back in the waiting room). To hold the call in "connecting" for as long as the test needs, the
 * client's LiveKit signalling socket is answered by the test instead of LiveKit (Playwright's
 * WebSocket routing): it opens and is never answered. Everything else is real.
 */
import { expect } from 'chai';
import { useTherapistAndClient } from '../support/browser-stack.ts';
import { mediaConnectionsClosed } from '../support/browser-page-probe.ts';
import { clickParticipantAction, clientChecksIn, clientReadsNotice, therapistCreatesSession, therapistJoinsCall, therapistSignsIn, waitForPresence } from '../support/browser-journeys.ts';

const STEP_TIMEOUT_MS = 15_000;

describe('e2e: a client sent back while the call is still connecting', function () {
  this.timeout(90_000);
  const people = useTherapistAndClient();

  it('closes the peer connection the unanswered join had made, and is back in the waiting room', async () => {
    const { therapist, client, stack } = people;
    // LiveKit's signalling, held: the socket opens, the join request goes out, no answer comes.
    // (The pre-call connection check's join is held too, and counted apart from the call's.)
    let joinSeen = (): void => undefined;
    await client.page.routeWebSocket(/\/rtc\/v1/u, () => joinSeen());

    await therapistSignsIn(therapist.page, stack.t.origin, stack.therapist.email, stack.therapist.password);
    const [joinUrl] = (await therapistCreatesSession(therapist.page, 'individual')) as [string];
    await therapistJoinsCall(therapist.page, { camera: true });
    await clientReadsNotice(client.page, joinUrl);
    await clientChecksIn(client.page, 'Robin', { camera: true });
    await waitForPresence(therapist.page, 'waiting');

    const callJoin = new Promise<void>((resolve) => (joinSeen = resolve));
    const madeBefore = await client.page.evaluate(() => ((globalThis as any).__alcovePeerConnections as unknown[]).length);
    await clickParticipantAction(therapist.page, 'Admit', 'Client');
    await callJoin;
    await client.page.locator('.call-screen[data-connection="connecting"]').waitFor({ timeout: STEP_TIMEOUT_MS });
    // The call's join has made its peer connection already (livekit-client offers with the join in Chromium).
    await client.page.waitForFunction((before) => ((globalThis as any).__alcovePeerConnections as unknown[]).length > before, madeBefore, { timeout: STEP_TIMEOUT_MS });

    await clickParticipantAction(therapist.page, 'Send back', 'Client');
    await client.page.getByRole('heading', { name: /You are checked in/u }).waitFor({ timeout: STEP_TIMEOUT_MS });
    await client.page.waitForFunction(mediaConnectionsClosed, undefined, { timeout: STEP_TIMEOUT_MS }).catch(async (error: Error) => {
      const states = await client.page.evaluate(() => ((globalThis as any).__alcovePeerConnections as { connectionState: string }[]).map((pc) => pc.connectionState));
      throw new Error(`${error.message}; peer connections: ${JSON.stringify(states)}`);
    });
    expect(client.pageErrors).to.deep.equal([]);
  });
});
