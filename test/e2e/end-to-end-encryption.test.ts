import { expect } from 'chai';
import { generateCallKeyPair, unwrapMediaKey, type CallKeyPair, type KeyCurve, type KeyEnvelope } from '@alcove/shared';
import { useTherapistAndClient } from '../support/browser-stack.ts';
import { screenshot } from '../support/browser.ts';
import { inboundTotals } from '../support/browser-page-probe.ts';
import { eventually } from '../support/eventually.ts';
import {
  clickParticipantAction,
  clientChecksIn,
  clientReadsNotice,
  openSession,
  therapistCreatesSession,
  therapistJoinsCall,
  therapistSignsIn,
  verificationCode,
} from '../support/browser-journeys.ts';

/** A Socket.io text frame: its packet prefix (`42`, `43<ack id>`) and its JSON array. */
function splitFrame(text: string): { prefix: string; body: unknown } | null {
  const at = text.indexOf('[');
  if (at < 0) return null;
  try {
    return { prefix: text.slice(0, at), body: JSON.parse(text.slice(at)) };
  } catch {
    return null;
  }
}

describe('e2e: a server that swaps a public key (a man in the middle)', function () {
  this.timeout(60_000);
  const people = useTherapistAndClient();

  it('makes the codes differ, and the client it cheated decodes nobody', async () => {
    const attacker = new Map<KeyCurve, CallKeyPair>();
    for (const curve of ['X25519', 'P-256'] as const) attacker.set(curve, await generateCallKeyPair(curve));
    const captured: { sessionId: string; envelope: KeyEnvelope }[] = [];
    // The test's relay sits in front of the app for the therapist's browser only: every member list
    // the console receives has the client's public key replaced by the attacker's, exactly what a
    // hostile server would send; what the console sends back is read on the way.
    await people.therapist.page.routeWebSocket(/\/socket\.io\//u, (ws) => {
      const server = ws.connectToServer();
      server.onMessage((message) => {
        const frame = typeof message === 'string' && message.includes('"members"') ? splitFrame(message) : null;
        if (!frame) return ws.send(message);
        const swap = (value: unknown): void => {
          if (!value || typeof value !== 'object') return;
          const members = (value as { members?: unknown }).members;
          if (Array.isArray(members)) {
            for (const member of members as { role: string; publicKeys: { curve: KeyCurve; key: string }[] }[]) {
              if (member.role === 'client') member.publicKeys = member.publicKeys.map((k) => attacker.get(k.curve)!.publicKey);
            }
          }
          for (const inner of Object.values(value)) swap(inner);
        };
        swap(frame.body);
        ws.send(frame.prefix + JSON.stringify(frame.body));
      });
      ws.onMessage((message) => {
        const frame = typeof message === 'string' && message.includes('"participant:send-key"') ? splitFrame(message) : null;
        const payload = frame && Array.isArray(frame.body) ? (frame.body[1] as { sessionId: string; envelope: KeyEnvelope }) : null;
        if (payload) captured.push({ sessionId: payload.sessionId, envelope: payload.envelope });
        server.send(message);
      });
    });
    await therapistSignsIn(people.therapist.page, people.stack.t.origin, people.stack.therapist.email, people.stack.therapist.password);
    const [joinUrl] = await therapistCreatesSession(people.therapist.page, 'individual');
    await openSession(people.therapist.page);
    await therapistJoinsCall(people.therapist.page, { camera: true });
    await clientReadsNotice(people.client.page, joinUrl!);
    await clientChecksIn(people.client.page, 'Robin', { camera: true });
    await clickParticipantAction(people.therapist.page, 'Admit', 'Client');

    // The console sealed the media key to the key it was shown: the attacker's, who can open it…
    await eventually(() => captured.length > 0, 'the console sealing a key');
    const stolen = captured[0]!;
    const opened = await unwrapMediaKey({ sessionId: stolen.sessionId, envelope: stolen.envelope, recipient: attacker.get(stolen.envelope.to.curve)!, expectedSender: stolen.envelope.from });
    expect(opened.key).to.have.length(32);
    // …which is why people compare codes: the two browsers show different ones.
    const [atClient, atTherapist] = await Promise.all([verificationCode(people.client.page), verificationCode(people.therapist.page)]);
    expect(atClient).to.not.equal(atTherapist);

    // The real client never receives a key it can open, so it never joins the media room: the
    // hard alert after the grace period, never a call without encryption.
    await people.client.page.getByRole('alert').filter({ hasText: 'Encryption failed' }).waitFor({ timeout: 20_000 });
    const totals = await inboundTotals(people.client.page);
    expect(Object.values(totals.videoFrames).every((frames) => frames === 0), 'frames the cheated client decoded').to.equal(true);
    expect(Object.values(totals.audioPackets).every((packets) => packets === 0), 'sound the cheated client received').to.equal(true);
    expect(await people.client.page.locator('.call-encryption').getAttribute('data-state')).to.not.equal('on');
    await screenshot(people.client.page, '60-client-key-swapped');
  });
});
