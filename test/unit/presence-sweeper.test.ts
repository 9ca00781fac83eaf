/**
 * The sweeper takes an instance for dead only when its silence says something: right after this
 * instance itself could not reach the ledger (Redis down, stalled, failing over), every other
 * instance was silent for the same reason, so they get a full silence window to beat again.
 */
import { expect } from 'chai';
import { INSTANCE_SILENCE_MS, startPresenceSweeper } from '../../server/src/waiting-room/presence-sweeper.ts';
import type { PresenceLedger } from '../../server/src/waiting-room/presence-ledger.ts';
import { createLogger } from '../../server/src/observability/logger.ts';

function fakeLedger() {
  const claims: number[] = [];
  let isReachable = true;
  const ledger: PresenceLedger = {
    beat: async () => {
      if (!isReachable) throw Object.assign(new Error('unreachable'), { name: 'TimeoutError' });
      return true;
    },
    retire: async () => undefined,
    connectionOpened: async () => undefined,
    connectionClosed: async () => undefined,
    claimDeadInstances: async (beforeMs) => (claims.push(beforeMs), []),
    takeConnections: async () => [],
    addDeadline: async () => undefined,
    claimDueDeadlines: async () => [],
  };
  return { ledger, claims, setReachable: (value: boolean) => (isReachable = value) };
}

describe('presence sweeper', () => {
  it('sweeps only announced shutdowns for one silence window after its own beats failed, then silent instances again', async () => {
    let now = 1_000_000;
    const fake = fakeLedger();
    const clients = { disconnected: async () => undefined, expireIfGone: async () => undefined, reaffirm: async () => undefined };
    const sweeper = startPresenceSweeper({ ledger: fake.ledger, clients, logger: createLogger({ level: 'error', write: () => undefined }), now: () => now, instanceId: 'i_self' });
    try {
      await sweeper.sweep();
      expect(fake.claims.at(-1)).to.equal(now - INSTANCE_SILENCE_MS);

      fake.setReachable(false);
      now += 1_000;
      await sweeper.sweep().catch(() => undefined);
      now += 8_000;
      fake.setReachable(true);
      await sweeper.sweep();
      expect(fake.claims.at(-1), 'just back: only instances that announced their shutdown (last beat 0)').to.equal(0);
      now += INSTANCE_SILENCE_MS - 1;
      await sweeper.sweep();
      expect(fake.claims.at(-1)).to.equal(0);
      now += 1;
      await sweeper.sweep();
      expect(fake.claims.at(-1), 'a full silence window later').to.equal(now - INSTANCE_SILENCE_MS);
    } finally {
      await sweeper.retire();
    }
  });
});
