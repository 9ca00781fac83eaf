import { expect } from 'chai';
import { deriveCallCode, describeMemberChanges, generateCallKeyPair, membersAsSeenBy, type CallMember } from '@alcove/shared';

const SESSION = 'sess_0123456789abcdef';

describe('the call verification code', () => {
  let therapist: CallMember;
  let kai: CallMember;
  let ana: CallMember;

  before(async () => {
    const [tx, tp, k, a] = await Promise.all([generateCallKeyPair('X25519'), generateCallKeyPair('P-256'), generateCallKeyPair('X25519'), generateCallKeyPair('P-256')]);
    therapist = { memberId: 'therapist', role: 'therapist', label: 'Dr Rivera', publicKeys: [tx.publicKey, tp.publicKey] };
    kai = { memberId: 'p_kai', role: 'client', label: 'Kai', publicKeys: [k.publicKey] };
    ana = { memberId: 'p_ana', role: 'client', label: 'Ana', publicKeys: [a.publicKey] };
  });

  it('is two groups of four digits, the same for any order of members and of a member’s keys', async () => {
    const code = await deriveCallCode(SESSION, [therapist, kai, ana]);
    expect(code).to.match(/^\d{4} \d{4}$/u);
    expect(await deriveCallCode(SESSION, [ana, therapist, kai])).to.equal(code);
    const reordered = { ...therapist, publicKeys: [...therapist.publicKeys].reverse() };
    expect(await deriveCallCode(SESSION, [kai, ana, reordered])).to.equal(code);
  });

  it('changes when any key changes, someone joins or leaves, or the session differs', async () => {
    const code = await deriveCallCode(SESSION, [therapist, kai, ana]);
    const renewed = { ...kai, publicKeys: [(await generateCallKeyPair('X25519')).publicKey] };
    expect(await deriveCallCode(SESSION, [therapist, renewed, ana])).to.not.equal(code);
    const therapistRenewed = { ...therapist, publicKeys: [therapist.publicKeys[0]!, (await generateCallKeyPair('P-256')).publicKey] };
    expect(await deriveCallCode(SESSION, [therapistRenewed, kai, ana])).to.not.equal(code);
    expect(await deriveCallCode(SESSION, [therapist, kai])).to.not.equal(code);
    expect(await deriveCallCode('sess_another-session', [therapist, kai, ana])).to.not.equal(code);
  });

  it('judges the list with our own key from ourselves: a key swapped in what the server sends us shows', async () => {
    const mine = { memberId: kai.memberId, publicKeys: kai.publicKeys };
    const swapped = { ...kai, publicKeys: [(await generateCallKeyPair('X25519')).publicKey] };
    const honest = await deriveCallCode(SESSION, membersAsSeenBy([therapist, kai, ana], mine));
    expect(await deriveCallCode(SESSION, membersAsSeenBy([therapist, swapped, ana], mine))).to.equal(honest);
    // The therapist, given the swapped key, sees another code than Kai does.
    expect(await deriveCallCode(SESSION, [therapist, swapped, ana])).to.not.equal(honest);
  });
});

describe('what changed in the call', () => {
  const member = (memberId: string, label: string, key: string): CallMember => ({
    memberId,
    role: memberId === 'therapist' ? 'therapist' : 'client',
    label,
    publicKeys: [{ curve: 'X25519', key: key.repeat(43).slice(0, 43) }],
  });
  const t = member('therapist', 'Dr Rivera', 't');
  const kai = member('p_kai', 'Kai', 'k');
  const ana = member('p_ana', 'Ana', 'a');

  it('names who joined, who left and whose connection was renewed', () => {
    expect(describeMemberChanges([t], [t, kai])).to.deep.equal([{ kind: 'joined', memberId: 'p_kai', role: 'client', label: 'Kai' }]);
    expect(describeMemberChanges([t, kai, ana], [t, ana])).to.deep.equal([{ kind: 'left', memberId: 'p_kai', role: 'client', label: 'Kai' }]);
    expect(describeMemberChanges([t, kai], [member('therapist', 'Dr Rivera', 'u'), kai])).to.deep.equal([
      { kind: 'renewed', memberId: 'therapist', role: 'therapist', label: 'Dr Rivera' },
    ]);
    expect(describeMemberChanges([t, kai], [t, ana])).to.deep.equal([
      { kind: 'joined', memberId: 'p_ana', role: 'client', label: 'Ana' },
      { kind: 'left', memberId: 'p_kai', role: 'client', label: 'Kai' },
    ]);
  });

  it('finds nothing when only the order or the label changed', () => {
    expect(describeMemberChanges([t, kai, ana], [ana, t, { ...kai, label: 'Kai R.' }])).to.deep.equal([]);
  });
});
