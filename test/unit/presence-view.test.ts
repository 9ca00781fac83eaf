import { expect } from 'chai';
import { derivePresenceState } from '../../server/src/presence/presence-view.ts';
import type { ParticipantRecord } from '../../server/src/sessions/participant-records.ts';

const base: ParticipantRecord = {
  id: 'p_x',
  sessionId: 's_x',
  slot: 1,
  status: 'invited',
  displayName: null,
  waitingSince: null,
  admittedAt: null,
  connectionId: null,
  disconnectedAt: null,
  inCall: false,
  connectionCheck: null,
  updatedAt: 0,
};

describe('presence states', () => {
  const cases: [Partial<ParticipantRecord>, string][] = [
    [{}, 'invited'],
    [{ status: 'waiting', connectionId: 'c1' }, 'waiting'],
    [{ status: 'waiting', connectionId: null }, 'reconnecting'],
    [{ status: 'admitted', connectionId: 'c1' }, 'admitted'],
    [{ status: 'admitted', connectionId: null }, 'reconnecting'],
    [{ status: 'admitted', connectionId: null, inCall: true }, 'in-call'],
    [{ status: 'held', connectionId: 'c1' }, 'held'],
    [{ status: 'held', connectionId: null }, 'held'],
    [{ status: 'left' }, 'left'],
    [{ status: 'removed', connectionId: 'c1' }, 'removed'],
  ];
  for (const [patch, expected] of cases) {
    it(`shows ${JSON.stringify(patch)} as ${expected}`, () => {
      expect(derivePresenceState({ ...base, ...patch })).to.equal(expected);
    });
  }
});
