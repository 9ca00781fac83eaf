import { expect } from 'chai';
import { generateCallKeyPair, newMediaKey, toBase64Url, wrapMediaKey, type CallKeyPair, type CallMember, type CallMembersFact, type PublicKeyTag } from '@alcove/shared';
import { createClientKeys, KeyNotReceivedError, type ClientKeys } from '../../client/src/call/client-keys.ts';
import type { CallCode } from '../../client/src/call/call-code.ts';
import { eventually } from '../support/eventually.ts';

const SESSION = 'sess_0123456789abcdef';
const ME = 'p_sam';

/** A client's keys against a fake server: the list it answers to our announce is `list(ourKey)`. */
async function clientWith(list: (ours: PublicKeyTag) => CallMember[]) {
  const codes: CallCode[] = [];
  const therapistInCall: boolean[] = [];
  let ours: PublicKeyTag | null = null;
  const keys: ClientKeys = createClientKeys({
    announce: async (publicKeys): Promise<CallMembersFact> => {
      ours = publicKeys[0]!;
      return { sessionId: SESSION, members: list(ours) };
    },
    onCode: (code) => codes.push(code),
    onTherapistInCall: (inCall) => therapistInCall.push(inCall),
  });
  await keys.announce(ME);
  return { keys, codes, therapistInCall, ours: ours! };
}

const member = (memberId: string, role: CallMember['role'], publicKeys: PublicKeyTag[]): CallMember => ({ memberId, role, label: memberId, publicKeys });

describe('a client’s side of the key exchange', () => {
  let therapistX: CallKeyPair;
  let therapistP: CallKeyPair;
  let stranger: CallKeyPair;
  before(async () => {
    [therapistX, therapistP, stranger] = await Promise.all([generateCallKeyPair('X25519'), generateCallKeyPair('P-256'), generateCallKeyPair('X25519')]);
  });
  const therapist = () => member('therapist', 'therapist', [therapistX.publicKey, therapistP.publicKey]);
  const sealed = (to: PublicKeyTag, by: CallKeyPair, key = newMediaKey(), keyIndex = 2, confirmedCode: string | null = null) =>
    wrapMediaKey({ sessionId: SESSION, keyIndex, sender: by, recipient: to, content: { key, confirmedCode } });

  it('says when the therapist joins and leaves the call, once per change', async () => {
    const { keys, ours, therapistInCall } = await clientWith((k) => [member(ME, 'client', [k])]);
    expect(keys.therapistInCall()).to.equal(false);
    expect(therapistInCall).to.deep.equal([]);
    keys.onMembers({ sessionId: SESSION, members: [therapist(), member(ME, 'client', [ours])] });
    keys.onMembers({ sessionId: SESSION, members: [therapist(), member(ME, 'client', [ours])] });
    expect(keys.therapistInCall()).to.equal(true);
    keys.onMembers({ sessionId: SESSION, members: [member(ME, 'client', [ours])] });
    expect(therapistInCall).to.deep.equal([true, false]);
  });

  it('drops a key from a console whose keys left the list before its envelope was opened (the console rejoined)', async () => {
    const { keys, ours } = await clientWith((k) => [therapist(), member(ME, 'client', [k])]);
    const envelope = await sealed(ours, therapistX);
    const opened = keys.receive({ sessionId: SESSION, envelope });
    // The console came back with a new pair before this envelope was opened.
    keys.onMembers({ sessionId: SESSION, members: [member('therapist', 'therapist', [stranger.publicKey]), member(ME, 'client', [ours])] });
    expect(await opened).to.equal(null);
    expect(keys.keyAt(2)).to.equal(null);
  });

  it('takes a key sealed to its own public key by the therapist’s key in the list', async () => {
    const { keys, ours } = await clientWith((k) => [therapist(), member(ME, 'client', [k])]);
    const key = newMediaKey();
    const got = await keys.receive({ sessionId: SESSION, envelope: await sealed(ours, ours.curve === 'X25519' ? therapistX : therapistP, key, 7) });
    expect(got).to.deep.equal({ key: toBase64Url(key), keyIndex: 7 });
    expect(await keys.waitForKey(10)).to.deep.equal(got);
    expect(keys.keyAt(7)).to.deep.equal(got);
  });

  it('ignores a key from anyone but the therapist in the list, or addressed to another key, or of another session', async () => {
    const { keys, ours } = await clientWith((k) => [therapist(), member(ME, 'client', [k])]);
    const other = await generateCallKeyPair(ours.curve);
    const byStranger = await sealed(ours, stranger.publicKey.curve === ours.curve ? stranger : await generateCallKeyPair(ours.curve));
    expect(await keys.receive({ sessionId: SESSION, envelope: byStranger })).to.equal(null);
    const sender = ours.curve === 'X25519' ? therapistX : therapistP;
    expect(await keys.receive({ sessionId: SESSION, envelope: await sealed(other.publicKey, sender) })).to.equal(null);
    expect(await keys.receive({ sessionId: 'sess_another-session', envelope: await sealed(ours, sender) })).to.equal(null);
    expect(keys.keyAt(2)).to.equal(null);
  });

  it('shows a code with its own key from itself, and the therapist’s confirmation only while it is the same code', async () => {
    const substituted = await generateCallKeyPair('X25519');
    // The server lists someone else's key for us: our code is computed with ours all the same.
    const { keys, codes, ours } = await clientWith(() => [therapist(), member(ME, 'client', [substituted.publicKey])]);
    const code = await eventually(() => codes.at(-1), 'the first code', 2000, 5);
    expect(code).to.include({ memberCount: 2, compared: null });
    const sender = ours.curve === 'X25519' ? therapistX : therapistP;
    await keys.receive({ sessionId: SESSION, envelope: await sealed(ours, sender, newMediaKey(), 2, code.code) });
    await eventually(() => codes.at(-1)?.compared === 'therapist', 'the confirmation shown', 2000, 5);
    expect(codes.at(-1)).to.include({ code: code.code, compared: 'therapist' });
    await keys.receive({ sessionId: SESSION, envelope: await sealed(ours, sender, newMediaKey(), 3, '0000 0000') });
    await eventually(() => codes.at(-1)?.compared === null, 'the confirmation of another code not shown', 2000, 5);
    expect(codes.at(-1)).to.include({ code: code.code, compared: null });
  });

  it('waits for a key as long as the therapist is not in the call, and gives up only once they are', async () => {
    const { keys } = await clientWith((k) => [member(ME, 'client', [k])]);
    let outcome = 'waiting';
    keys.waitForKey(30).then(() => (outcome = 'key'), (error: unknown) => (outcome = error instanceof KeyNotReceivedError ? 'gave up' : 'other'));
    // Ten times the grace, with nobody to make a key: still waiting.
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(outcome).to.equal('waiting');
    keys.onMembers({ sessionId: SESSION, members: [therapist()] });
    await eventually(() => outcome !== 'waiting', 'the wait to end', 5000, 5);
    expect(outcome).to.equal('gave up');
  });

  it('forgets its keys when sent back', async () => {
    const { keys, ours } = await clientWith((k) => [therapist(), member(ME, 'client', [k])]);
    await keys.receive({ sessionId: SESSION, envelope: await sealed(ours, ours.curve === 'X25519' ? therapistX : therapistP) });
    keys.forget();
    expect(keys.keyAt(2)).to.equal(null);
    keys.onMembers({ sessionId: SESSION, members: [member(ME, 'client', [ours])] });
    let settled = false;
    void keys.waitForKey(1000).then(() => (settled = true), () => (settled = true));
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect(settled).to.equal(false);
  });
});
