import { expect } from 'chai';
import {
  E2EE_KEYRING_SIZE,
  fromBase64Url,
  generateCallKeyPair,
  unwrapMediaKey,
  type CallKeyPair,
  type CallMember,
  type KeyEnvelope,
} from '@alcove/shared';
import { createKeyAuthority, type KeyAuthority } from '../../client/src/call/key-authority.ts';
import type { CallCode } from '../../client/src/call/call-code.ts';
import type { SessionKey } from '../../client/src/call/media-key.ts';

const SESSION = 'sess_0123456789abcdef';

/** The console's authority with its IO recorded in order; `installs` says which participants' browsers answer. */
async function authorityWith(installs: (participantId: string, attempt: number) => boolean = () => true) {
  const log: string[] = [];
  const sent: { participantId: string; envelope: KeyEnvelope }[] = [];
  const codes: CallCode[] = [];
  const attempts = new Map<string, number>();
  const authority = await createKeyAuthority({
    sessionId: SESSION,
    async send(participantId, envelope) {
      const attempt = (attempts.get(participantId) ?? 0) + 1;
      attempts.set(participantId, attempt);
      sent.push({ participantId, envelope });
      log.push(`send ${participantId} #${envelope.keyIndex}`);
      return { installed: installs(participantId, attempt) };
    },
    async activate(keyIndex) {
      log.push(`activate #${keyIndex}`);
    },
    async install(key: SessionKey) {
      log.push(`install #${key.keyIndex}`);
    },
    activateLocal(keyIndex) {
      log.push(`local #${keyIndex}`);
    },
    onCode: (code) => codes.push(code),
  });
  return { authority, log, sent, codes };
}

const therapistMember = (authority: KeyAuthority): CallMember => ({ memberId: 'therapist', role: 'therapist', label: 'Dr', publicKeys: authority.publicKeys });
const clientMember = (id: string, pair: CallKeyPair): CallMember => ({ memberId: id, role: 'client', label: id, publicKeys: [pair.publicKey] });

describe('the console as key authority', () => {
  let sam: CallKeyPair;
  let kai: CallKeyPair;
  before(async () => {
    [sam, kai] = await Promise.all([generateCallKeyPair('X25519'), generateCallKeyPair('P-256')]);
  });

  it('has one public key per curve, and seals the key in force to each client as it appears, then switches', async () => {
    const { authority, log, sent } = await authorityWith();
    expect(authority.publicKeys.map((k) => k.curve)).to.deep.equal(['X25519', 'P-256']);
    const { keyIndex, key } = authority.current();
    authority.onMembers({ sessionId: SESSION, members: [therapistMember(authority), clientMember('p_sam', sam)] });
    await authority.settled();
    authority.onMembers({ sessionId: SESSION, members: [therapistMember(authority), clientMember('p_sam', sam), clientMember('p_kai', kai)] });
    await authority.settled();
    expect(log).to.deep.equal([`send p_sam #${keyIndex}`, `activate #${keyIndex}`, `send p_kai #${keyIndex}`, `activate #${keyIndex}`]);
    // Each opens with its own pair (Kai's browser is P-256 only), from the console's key on that curve.
    for (const [i, pair] of [sam, kai].entries()) {
      const sender = authority.publicKeys.find((k) => k.curve === pair.publicKey.curve)!;
      const opened = await unwrapMediaKey({ sessionId: SESSION, envelope: sent[i]!.envelope, recipient: pair, expectedSender: sender });
      expect([...opened.key]).to.deep.equal([...fromBase64Url(key)]);
    }
  });

  it('does not seal again for an unchanged list, but does for a renewed key', async () => {
    const { authority, log } = await authorityWith();
    const list = [therapistMember(authority), clientMember('p_sam', sam)];
    authority.onMembers({ sessionId: SESSION, members: list });
    authority.onMembers({ sessionId: SESSION, members: [...list].reverse() });
    authority.onMembers({ sessionId: 'sess_another-session', members: [therapistMember(authority), clientMember('p_kai', kai)] });
    await authority.settled();
    expect(log.filter((l) => l.startsWith('send'))).to.have.length(1);
    const renewed = await generateCallKeyPair('X25519');
    authority.onMembers({ sessionId: SESSION, members: [therapistMember(authority), clientMember('p_sam', renewed)] });
    await authority.settled();
    expect(log.filter((l) => l.startsWith('send'))).to.have.length(2);
  });

  it('rotates when someone leaves: a new key in the next slot, held locally first, sealed only to who stays, then everyone switches', async () => {
    const { authority, log, sent } = await authorityWith();
    const before = authority.current();
    authority.onMembers({ sessionId: SESSION, members: [therapistMember(authority), clientMember('p_sam', sam), clientMember('p_kai', kai)] });
    await authority.settled();
    log.length = 0;
    sent.length = 0;
    authority.onMembers({ sessionId: SESSION, members: [therapistMember(authority), clientMember('p_sam', sam)] });
    await authority.settled();
    const after = authority.current();
    expect(after.keyIndex).to.equal((before.keyIndex + 1) % E2EE_KEYRING_SIZE);
    expect(after.key).to.not.equal(before.key);
    expect(log).to.deep.equal([`install #${after.keyIndex}`, `send p_sam #${after.keyIndex}`, `local #${after.keyIndex}`, `activate #${after.keyIndex}`]);
    expect(sent.map((s) => s.participantId)).to.deep.equal(['p_sam']);
  });

  it('rotates again when someone who left comes back (released from hold): a fresh key, never the one used while they were out', async () => {
    const { authority, log, sent } = await authorityWith();
    const both = [therapistMember(authority), clientMember('p_sam', sam), clientMember('p_kai', kai)];
    authority.onMembers({ sessionId: SESSION, members: both });
    await authority.settled();
    const shared = authority.current();
    authority.onMembers({ sessionId: SESSION, members: [therapistMember(authority), clientMember('p_sam', sam)] });
    await authority.settled();
    const whileHeld = authority.current();
    log.length = 0;
    sent.length = 0;
    authority.onMembers({ sessionId: SESSION, members: both });
    await authority.settled();
    const afterRelease = authority.current();
    expect(new Set([shared.key, whileHeld.key, afterRelease.key]).size).to.equal(3);
    expect(afterRelease.keyIndex).to.equal((whileHeld.keyIndex + 1) % E2EE_KEYRING_SIZE);
    // Installed first, then sealed to both at once (in either order: each seal is its own key agreement), then switched.
    expect([log[0], ...log.slice(1, 3).sort(), ...log.slice(3)]).to.deep.equal([
      `install #${afterRelease.keyIndex}`,
      `send p_kai #${afterRelease.keyIndex}`,
      `send p_sam #${afterRelease.keyIndex}`,
      `local #${afterRelease.keyIndex}`,
      `activate #${afterRelease.keyIndex}`,
    ]);
    // Kai is sealed only the new key: the one of the hold never reached them.
    const opened = await unwrapMediaKey({ sessionId: SESSION, envelope: sent.find((s) => s.participantId === 'p_kai')!.envelope, recipient: kai, expectedSender: authority.publicKeys.find((k) => k.curve === 'P-256')! });
    expect([...opened.key]).to.deep.equal([...fromBase64Url(afterRelease.key)]);
    // A client joining for the first time is sealed the key in force, with no rotation.
    log.length = 0;
    const ana = await generateCallKeyPair('X25519');
    authority.onMembers({ sessionId: SESSION, members: [...both, clientMember('p_ana', ana)] });
    await authority.settled();
    expect(log).to.deep.equal([`send p_ana #${afterRelease.keyIndex}`, `activate #${afterRelease.keyIndex}`]);
  });

  it('seals once more, after the switch, to a browser that did not answer in time', async () => {
    const { authority, log } = await authorityWith((id, attempt) => id !== 'p_kai' || attempt > 1);
    const { keyIndex } = authority.current();
    authority.onMembers({ sessionId: SESSION, members: [therapistMember(authority), clientMember('p_sam', sam), clientMember('p_kai', kai)] });
    await authority.settled();
    // Both are sealed at once (in either order), then the switch, then Kai once more.
    expect([...log.slice(0, 2)].sort()).to.deep.equal([`send p_kai #${keyIndex}`, `send p_sam #${keyIndex}`]);
    expect(log.slice(2)).to.deep.equal([`activate #${keyIndex}`, `send p_kai #${keyIndex}`]);
  });

  it('sends "Codes compared" sealed, with the code it compared, and forgets it when the code changes', async () => {
    const { authority, sent, codes } = await authorityWith();
    authority.onMembers({ sessionId: SESSION, members: [therapistMember(authority), clientMember('p_sam', sam), clientMember('p_kai', kai)] });
    await authority.settled();
    await authority.markCompared();
    const code = codes.at(-1)!;
    expect(code).to.include({ memberCount: 3, compared: 'self' });
    const lastTo = (participantId: string) => sent.filter((s) => s.participantId === participantId).at(-1)!.envelope;
    const opened = await unwrapMediaKey({ sessionId: SESSION, envelope: lastTo('p_kai'), recipient: kai, expectedSender: authority.publicKeys[1]! });
    expect(opened.confirmedCode).to.equal(code.code);
    authority.onMembers({ sessionId: SESSION, members: [therapistMember(authority), clientMember('p_sam', sam)] });
    await authority.settled();
    expect(codes.at(-1)).to.include({ memberCount: 2, compared: null });
    expect(codes.at(-1)!.changes).to.deep.equal([{ kind: 'left', memberId: 'p_kai', role: 'client', label: 'p_kai' }]);
    const rotated = await unwrapMediaKey({ sessionId: SESSION, envelope: lastTo('p_sam'), recipient: sam, expectedSender: authority.publicKeys[0]! });
    expect(rotated.confirmedCode === null && lastTo('p_sam').keyIndex).to.equal(authority.current().keyIndex);
    expect(rotated.confirmedCode).to.equal(null);
  });

  it('seals and switches nothing once stopped (the console left its call)', async () => {
    const { authority, log } = await authorityWith();
    authority.stop();
    authority.onMembers({ sessionId: SESSION, members: [therapistMember(authority), clientMember('p_sam', sam)] });
    await authority.settled();
    expect(log).to.deep.equal([]);
  });
});
