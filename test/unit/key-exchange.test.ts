import { expect } from 'chai';
import {
  generateCallKeyPair,
  keyEnvelopeSchema,
  newMediaKey,
  supportedCurves,
  unwrapMediaKey,
  wrapMediaKey,
  type CallKeyPair,
  type KeyCurve,
  type KeyEnvelope,
} from '@alcove/shared';
import { refusal } from '../support/envelope-refusal.ts';

const SESSION = 'sess_0123456789abcdef';


/** Flips one bit of a base64url string's first character (stays base64url). */
const flip = (text: string) => (text[0] === 'A' ? 'B' : 'A') + text.slice(1);

for (const curve of ['X25519', 'P-256'] as const satisfies readonly KeyCurve[]) {
  describe(`media key wrapping on ${curve}`, () => {
    let therapist: CallKeyPair;
    let client: CallKeyPair;
    let other: CallKeyPair;
    const key = newMediaKey();
    let envelope: KeyEnvelope;

    before(async () => {
      [therapist, client, other] = await Promise.all([generateCallKeyPair(curve), generateCallKeyPair(curve), generateCallKeyPair(curve)]);
      envelope = await wrapMediaKey({ sessionId: SESSION, keyIndex: 3, sender: therapist, recipient: client.publicKey, content: { key, confirmedCode: '1234 5678' } });
    });

    it('opens for its recipient, from the expected sender, with the key and the confirmation inside', async () => {
      const opened = await unwrapMediaKey({ sessionId: SESSION, envelope, recipient: client, expectedSender: therapist.publicKey });
      expect([...opened.key]).to.deep.equal([...key]);
      expect(opened.confirmedCode).to.equal('1234 5678');
      const bare = await wrapMediaKey({ sessionId: SESSION, keyIndex: 0, sender: therapist, recipient: client.publicKey, content: { key, confirmedCode: null } });
      expect((await unwrapMediaKey({ sessionId: SESSION, envelope: bare, recipient: client, expectedSender: therapist.publicKey })).confirmedCode).to.equal(null);
    });

    it('fits the envelope schema the server enforces, and carries no key bytes in the clear', () => {
      expect(keyEnvelopeSchema.safeParse(envelope).success).to.equal(true);
      expect(JSON.stringify(envelope)).to.not.include(Buffer.from(key).toString('base64url'));
    });

    it('keeps private keys non-extractable', () => {
      expect(therapist.privateKey.extractable).to.equal(false);
      expect(client.privateKey.extractable).to.equal(false);
    });

    it('refuses an envelope addressed to someone else', async () => {
      expect(await refusal(unwrapMediaKey({ sessionId: SESSION, envelope, recipient: other, expectedSender: therapist.publicKey }), 'call-key')).to.equal('wrong-recipient');
      // Re-addressed to the other person on the way: the binding no longer matches.
      const readdressed = { ...envelope, to: other.publicKey };
      expect(await refusal(unwrapMediaKey({ sessionId: SESSION, envelope: readdressed, recipient: other, expectedSender: therapist.publicKey }), 'call-key')).to.equal('undecryptable');
    });

    it('refuses an envelope from anyone but the therapist key in the member list', async () => {
      expect(await refusal(unwrapMediaKey({ sessionId: SESSION, envelope, recipient: client, expectedSender: other.publicKey }), 'call-key')).to.equal('wrong-sender');
      // A relay that wraps its own key and claims to be the therapist: the claimed key does not open it.
      const forged = await wrapMediaKey({ sessionId: SESSION, keyIndex: 3, sender: other, recipient: client.publicKey, content: { key: newMediaKey(), confirmedCode: null } });
      const claimed = { ...forged, from: therapist.publicKey };
      expect(await refusal(unwrapMediaKey({ sessionId: SESSION, envelope: claimed, recipient: client, expectedSender: therapist.publicKey }), 'call-key')).to.equal('undecryptable');
    });

    it('refuses an envelope changed on the way: session, key index, IV, or sealed data', async () => {
      const tries = [
        () => unwrapMediaKey({ sessionId: 'sess_another-session', envelope, recipient: client, expectedSender: therapist.publicKey }),
        () => unwrapMediaKey({ sessionId: SESSION, envelope: { ...envelope, keyIndex: 4 }, recipient: client, expectedSender: therapist.publicKey }),
        () => unwrapMediaKey({ sessionId: SESSION, envelope: { ...envelope, iv: flip(envelope.iv) }, recipient: client, expectedSender: therapist.publicKey }),
        () => unwrapMediaKey({ sessionId: SESSION, envelope: { ...envelope, data: flip(envelope.data) }, recipient: client, expectedSender: therapist.publicKey }),
      ];
      for (const attempt of tries) expect(await refusal(attempt(), 'call-key')).to.equal('undecryptable');
    });

    it('refuses a wrong-length public key as malformed', async () => {
      const short = { ...envelope, from: { curve, key: therapist.publicKey.key.slice(1) } };
      expect(await refusal(unwrapMediaKey({ sessionId: SESSION, envelope: short, recipient: client, expectedSender: short.from }), 'call-key')).to.equal('malformed');
    });
  });
}

describe('key pairs', () => {
  it('lists X25519 first where the platform has it, and P-256 always', async () => {
    const curves = await supportedCurves();
    expect(curves).to.include('P-256');
    expect(curves[0]).to.equal(curves.includes('X25519') ? 'X25519' : 'P-256');
  });

  it('never wraps across curves', async () => {
    const [x, p] = await Promise.all([generateCallKeyPair('X25519'), generateCallKeyPair('P-256')]);
    let refused = false;
    try {
      await wrapMediaKey({ sessionId: SESSION, keyIndex: 0, sender: x, recipient: p.publicKey, content: { key: newMediaKey(), confirmedCode: null } });
    } catch (error) {
      refused = error instanceof RangeError;
    }
    expect(refused).to.equal(true);
  });
});
