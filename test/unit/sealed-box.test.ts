import { expect } from 'chai';
import {
  EnvelopeError,
  createSealingKey,
  encodeIntakeAnswers,
  generateCallKeyPair,
  openSealed,
  parseIntakeAnswers,
  parseSealingBackup,
  restoreSealingKey,
  sealForTherapist,
  sealedDataLengths,
  sealedEnvelopeSchema,
  sealingKeyFingerprint,
  type CallKeyPair,
  type KeyCurve,
  type SealBinding,
  type SealedEnvelope,
} from '@alcove/shared';
import { refusal } from '../support/envelope-refusal.ts';

const NOTE: SealBinding = { sessionId: 'sess_aaaaaaaaaaaaaaaa', participantId: 'participant_kai00000', purpose: 'note' };
const words = (text: string) => new TextEncoder().encode(text);
const read = (bytes: Uint8Array) => new TextDecoder().decode(bytes);
const flip = (text: string) => (text[0] === 'A' ? 'B' : 'A') + text.slice(1);


for (const curve of ['X25519', 'P-256'] as const satisfies readonly KeyCurve[]) {
  describe(`sealed notes and intake on ${curve}`, () => {
    let therapist: CallKeyPair;
    let envelope: SealedEnvelope;

    before(async () => {
      therapist = await generateCallKeyPair(curve);
      envelope = await sealForTherapist(NOTE, therapist.publicKey, words('I would like a moment alone with you first. ¿Podemos?'));
    });

    it('opens for the therapist with exactly the words that were sealed', async () => {
      expect(read(await openSealed(NOTE, envelope, therapist))).to.equal('I would like a moment alone with you first. ¿Podemos?');
    });

    it('makes every note the same size, whatever its length', async () => {
      const long = await sealForTherapist(NOTE, therapist.publicKey, words('ü'.repeat(500)));
      expect(long.data.length).to.equal(envelope.data.length);
      expect(sealedDataLengths('note')).to.deep.equal([envelope.data.length]);
      expect(sealedEnvelopeSchema('note').safeParse(long).success).to.equal(true);
    });

    it('refuses a note sealed for session A when opened as session B’s', async () => {
      expect(await refusal(openSealed({ ...NOTE, sessionId: 'sess_bbbbbbbbbbbbbbbb' }, envelope, therapist), 'sealed')).to.equal('undecryptable');
    });

    it('refuses a note filed under the other partner', async () => {
      expect(await refusal(openSealed({ ...NOTE, participantId: 'participant_sam00000' }, envelope, therapist), 'sealed')).to.equal('undecryptable');
    });

    it('refuses a note presented as intake answers', async () => {
      expect(await refusal(openSealed({ ...NOTE, purpose: 'intake' }, envelope, therapist), 'sealed')).to.equal('wrong-purpose');
      expect(await refusal(openSealed({ ...NOTE, purpose: 'intake' }, { ...envelope, purpose: 'intake' }, therapist), 'sealed')).to.equal('undecryptable');
    });

    it('refuses tampered data, IV or ephemeral key', async () => {
      expect(await refusal(openSealed(NOTE, { ...envelope, data: flip(envelope.data) }, therapist), 'sealed')).to.equal('undecryptable');
      expect(await refusal(openSealed(NOTE, { ...envelope, iv: flip(envelope.iv) }, therapist), 'sealed')).to.equal('undecryptable');
      const stranger = await generateCallKeyPair(curve);
      expect(await refusal(openSealed(NOTE, { ...envelope, from: stranger.publicKey }, therapist), 'sealed')).to.equal('undecryptable');
    });

    it('opens for nobody but the sealing key it was sealed to', async () => {
      const other = await generateCallKeyPair(curve);
      expect(await refusal(openSealed(NOTE, envelope, other), 'sealed')).to.equal('wrong-recipient');
      expect(await refusal(openSealed(NOTE, { ...envelope, to: other.publicKey }, other), 'sealed')).to.equal('undecryptable');
    });

    it('pads intake answers to whole kilobytes and refuses what would not fit', async () => {
      const binding: SealBinding = { ...NOTE, purpose: 'intake' };
      const small = await sealForTherapist(binding, therapist.publicKey, encodeIntakeAnswers({ 'bg-reason': 'x' }));
      const larger = await sealForTherapist(binding, therapist.publicKey, encodeIntakeAnswers({ 'bg-reason': 'x'.repeat(1500) }));
      expect(sealedDataLengths('intake')).to.include(small.data.length).and.to.include(larger.data.length);
      expect(larger.data.length).to.be.greaterThan(small.data.length);
      let threw = false;
      try {
        await sealForTherapist(binding, therapist.publicKey, new Uint8Array(9 * 1024));
      } catch (error) {
        threw = error instanceof RangeError;
      }
      expect(threw).to.equal(true);
    });
  });
}

describe('the sealing key backup', function () {
  this.timeout(20_000);

  it('restores under the passphrase a key that opens what was sealed to the original', async () => {
    const { pair, backup } = await createSealingKey('X25519', 'correct horse battery staple', 1_700_000_000_000);
    expect(backup.kdf.iterations).to.equal(600_000);
    const envelope = await sealForTherapist(NOTE, pair.publicKey, words('from the first device'));
    const restored = await restoreSealingKey(parseSealingBackup(JSON.parse(JSON.stringify(backup))), 'correct horse battery staple');
    expect(read(await openSealed(NOTE, envelope, restored))).to.equal('from the first device');
  });

  it('keeps the private key non-extractable, made or restored', async () => {
    const { pair, backup } = await createSealingKey('P-256', 'a long enough passphrase', 1);
    expect(pair.privateKey.extractable).to.equal(false);
    expect((await restoreSealingKey(backup, 'a long enough passphrase')).privateKey.extractable).to.equal(false);
  });

  it('refuses a wrong passphrase, a short one, and a backup whose public key was changed', async () => {
    const { backup } = await createSealingKey('X25519', 'correct horse battery staple', 5);
    const reason = async (promise: Promise<unknown>) => promise.then(() => 'restored', (e: EnvelopeError) => e.reason);
    expect(await reason(restoreSealingKey(backup, 'Correct horse battery staple'))).to.equal('wrong-passphrase');
    expect(await reason(createSealingKey('X25519', 'too short', 5))).to.equal('weak-passphrase');
    const other = await generateCallKeyPair('X25519');
    expect(await reason(restoreSealingKey({ ...backup, publicKey: other.publicKey }, 'correct horse battery staple'))).to.equal('wrong-passphrase');
    expect(() => parseSealingBackup({ ...backup, kdf: { ...backup.kdf, iterations: 1 } })).to.throw(EnvelopeError);
    expect(() => parseSealingBackup({ ...backup, extra: 'x', format: 'nope' })).to.throw(EnvelopeError);
  });

  it('gives one key one fingerprint, and two keys two', async () => {
    const [a, b] = await Promise.all([generateCallKeyPair('X25519'), generateCallKeyPair('X25519')]);
    expect(await sealingKeyFingerprint(a.publicKey)).to.match(/^[0-9A-F]{4}( [0-9A-F]{4}){3}$/u).and.equal(await sealingKeyFingerprint(a.publicKey));
    expect(await sealingKeyFingerprint(a.publicKey)).to.not.equal(await sealingKeyFingerprint(b.publicKey));
  });
});

describe('opened intake answers', () => {
  const form = { template: 'couples' as const, questions: [{ id: 'c1', kind: 'choice' as const, prompt: 'Pick', options: ['a', 'b'], multiple: false }] };
  it('keeps only answers that fit the questionnaire', () => {
    const answers = parseIntakeAnswers(encodeIntakeAnswers({ 'cp-story': 'Ten years', 'cp-safety': ['never'], c1: ['1'], 'cp-conflict': ['shouting'], c9: 'x', 'cp-hopes': 'y'.repeat(801) }), form);
    expect(answers).to.deep.equal({ 'cp-story': 'Ten years', 'cp-safety': ['never'], c1: ['1'] });
    expect(parseIntakeAnswers(encodeIntakeAnswers({ c1: ['0', '1'] }), form)).to.deep.equal({});
    expect(parseIntakeAnswers(words('not json'), form)).to.equal(null);
    expect(parseIntakeAnswers(words('{"v":2,"answers":{}}'), form)).to.equal(null);
  });
});
