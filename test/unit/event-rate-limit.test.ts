import { expect } from 'chai';
import { createEventRateLimit } from '../../server/src/transport/socket/event-rate-limit.ts';

describe('per-socket event rate limit', () => {
  it('allows a burst, refuses a flood, and refills over time', () => {
    let now = 0;
    const limit = createEventRateLimit({ burst: 3, refillPerSecond: 2, now: () => now });
    expect([limit.take(), limit.take(), limit.take(), limit.take()]).to.deep.equal([true, true, true, false]);
    now += 500;
    expect([limit.take(), limit.take()]).to.deep.equal([true, false]);
    now += 10_000;
    expect([limit.take(), limit.take(), limit.take(), limit.take()]).to.deep.equal([true, true, true, false]);
  });
});
