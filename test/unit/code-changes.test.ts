import { expect } from 'chai';
import { describeMemberChanges, type CallMember } from '@alcove/shared';
import { changeMessages } from '../../client/src/views/call-screen/code-changes.ts';
import { en } from '../../client/src/i18n/messages-en.ts';
import { es } from '../../client/src/i18n/messages-es.ts';

const member = (memberId: string, label: string, key: string): CallMember => ({
  memberId,
  role: memberId === 'therapist' ? 'therapist' : 'client',
  label,
  publicKeys: [{ curve: 'P-256', key: key.repeat(87).slice(0, 87) }],
});
const fill = (catalogue: Readonly<Record<keyof typeof en, string>>, m: { key: keyof typeof en; name: string | null }) =>
  catalogue[m.key].replace('{name}', m.name ?? catalogue['call.code.therapistName']);

describe('what a changed code says', () => {
  const therapist = member('therapist', '', 't');
  const kai = member('p_kai', 'Kai', 'k');
  const ana = member('p_ana', 'Ana', 'a');

  it('says who joined, who left and whose connection was renewed, in English and Spanish', () => {
    const changes = describeMemberChanges([therapist, kai], [member('therapist', '', 'u'), ana]);
    const messages = changeMessages(changes);
    expect(messages.map((m) => fill(en, m))).to.deep.equal([
      'The code changed: the connection of your therapist was renewed.',
      'The code changed: Ana joined.',
      'The code changed: Kai left.',
    ]);
    expect(messages.map((m) => fill(es, m))).to.deep.equal([
      'El código cambió: se renovó la conexión de su terapeuta.',
      'El código cambió: entró Ana.',
      'El código cambió: salió Kai.',
    ]);
  });

  it('uses the name the tiles show', () => {
    const [message] = changeMessages(describeMemberChanges([therapist], [therapist, kai]));
    expect(message).to.deep.equal({ key: 'call.code.changedJoined', name: 'Kai' });
  });
});
