import { expect } from 'chai';
import {
  REJOIN_FIRST_DELAY_MS,
  REJOIN_JITTER,
  REJOIN_MAX_DELAY_MS,
  rejoinDelayMs,
  shouldRejoin,
  verdictOn,
  type CallEndReason,
  type RejoinFailure,
} from '../../client/src/call/rejoin-policy.ts';

describe('rejoining a lost media connection (policy)', () => {
  it('rejoins only a lost connection, never one the person left or the session ended', () => {
    const cases: [CallEndReason, boolean][] = [
      ['lost', true],
      ['left', false],
      ['removed', false],
      ['ended', false],
      ['replaced', false],
    ];
    for (const [reason, rejoin] of cases) expect(shouldRejoin(reason), reason).to.equal(rejoin);
  });

  it('waits 0.5 s, then doubles up to 8 s and stays there', () => {
    const noJitter = () => 0;
    expect([0, 1, 2, 3, 4, 5, 6, 20, 1000].map((attempt) => rejoinDelayMs(attempt, noJitter))).to.deep.equal([
      500, 1000, 2000, 4000, 8000, 8000, 8000, 8000, 8000,
    ]);
    expect(REJOIN_FIRST_DELAY_MS).to.equal(500);
    expect(REJOIN_MAX_DELAY_MS).to.equal(8000);
  });

  it('spreads browsers out by shortening each delay at random, never lengthening it past the cap', () => {
    for (const attempt of [0, 3, 4, 50]) {
      const longest = rejoinDelayMs(attempt, () => 0);
      const shortest = rejoinDelayMs(attempt, () => 0.999999);
      expect(longest).to.be.at.most(REJOIN_MAX_DELAY_MS);
      expect(shortest).to.be.at.least(Math.floor(longest * (1 - REJOIN_JITTER)));
      expect(shortest).to.be.below(longest);
    }
  });

  it('keeps trying while the service is down, stalled, busy or the new room is not there yet', () => {
    const keepTrying: RejoinFailure[] = ['service_unavailable', 'rate_limited', 'internal', 'network', 'timeout', 'media'];
    for (const failure of keepTrying) expect(verdictOn(failure), failure).to.deep.equal({ retry: true });
  });

  it('stops when the server says the session ended, the person was removed or is on another device', () => {
    expect(verdictOn('session_ended')).to.deep.equal({ retry: false, reason: 'ended' });
    expect(verdictOn('invalid_invite')).to.deep.equal({ retry: false, reason: 'removed' });
    expect(verdictOn('device_in_use')).to.deep.equal({ retry: false, reason: 'replaced' });
  });

  it('stops and lets the controller ask where the person stands when they are no longer admitted (sent back) or anything else is refused', () => {
    for (const failure of ['not_admitted', 'unauthorized', 'forbidden', 'not_found', 'bad_request', 'conflict'] as const) {
      expect(verdictOn(failure), failure).to.deep.equal({ retry: false, reason: 'lost' });
    }
  });
});
